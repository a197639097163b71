import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, cast, select

from core.crypto import Keyring, SecretError, install_keyring
from core.db import db
from core.models import Shop, StoreConnection
from core.rotation import rotate_all_secrets


def test_round_trip_and_tampered_ciphertext_refused():
    keyring = Keyring((Fernet.generate_key().decode(),))
    token = keyring.encrypt("shpat_secret")
    assert token != "shpat_secret"
    assert keyring.decrypt(token) == "shpat_secret"
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SecretError):
        keyring.decrypt(tampered)


def test_rotating_the_key_keeps_old_secrets_readable(app):
    # given a secret stored under the old key
    old_key = app.config["SETTINGS"].encryption_keys[0]
    shop = Shop(platform="shopify", domain="rot.myshopify.com")
    shop.connection = StoreConnection(access_token="shpat_old_secret")
    db.session.add(shop)
    db.session.commit()
    stored_before = db.session.execute(select(cast(StoreConnection.access_token, Text))).scalar()
    assert "shpat_old_secret" not in stored_before  # the database holds ciphertext only

    # when a new key is prepended
    new_key = Fernet.generate_key().decode()
    install_keyring(Keyring((new_key, old_key)))
    db.session.expire_all()
    # then the old secret is still readable
    assert db.session.get(StoreConnection, shop.connection.id).access_token == "shpat_old_secret"

    # and after rotation the new key alone reads it
    assert rotate_all_secrets() == 1
    install_keyring(Keyring((new_key,)))
    db.session.expire_all()
    assert db.session.get(StoreConnection, shop.connection.id).access_token == "shpat_old_secret"
    # while the old key alone no longer can
    install_keyring(Keyring((old_key,)))
    db.session.expire_all()
    with pytest.raises(SecretError):
        db.session.get(StoreConnection, shop.connection.id).access_token  # noqa: B018
