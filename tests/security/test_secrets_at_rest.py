"""Secrets at rest: after a journey (a Shopify store installed through OAuth, or a WooCommerce
store connected through the key flow; its catalogue imported; an Amazon seller connected and its
orders read with an LWA access token), no secret sits in plain text anywhere Crossport writes:
not in the SQLite file (and its WAL), not in any Redis key (RQ job hashes and results included),
not in the logs of the web process or the workers.

The secrets: the store's access and refresh tokens (Shopify), consumer key and secret, webhook
secret and plugin token key (WooCommerce), the Amazon refresh token and the LWA access tokens, and
the app's own (session key, encryption keys, Shopify API secret, LWA client secret). In the
database each store secret is a Fernet token that decrypts to it; in Redis the LWA tokens are
shared sealed the same way (integrations/amazon/shared_tokens.py).

The journeys and places scanned are those of test_buyer_data_at_rest.py (same fixtures).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from core.crypto import SecretError, active_keyring
from core.db import db
from core.models import AmazonAccount, Shop, StoreConnection
from jobs.queues import enqueue
from tests.jobs.conftest import amazon_server, wait_for  # noqa: F401
from tests.jobs.helpers import import_and_map
from tests.security.test_buyer_data_at_rest import (  # noqa: F401
    SHOP,
    _connect_amazon_us,
    _redis_values,
    _sqlite_bytes,
    _wait_for_catalogue,
    crossport_http,
    trip,
    web_log,
    woo_server,
    world,
)
from tests.shopify.conftest import emulator  # noqa: F401

STORE_SECRETS = (
    "access_token",
    "refresh_token",
    "consumer_key",
    "consumer_secret",
    "webhook_secret",
    "plugin_token_key",
)
APP_SECRETS = ("secret_key", "shopify_api_secret", "lwa_client_secret")
# shorter values could match by chance; every real secret is longer
MIN_LENGTH = 8


def _lwa_access_tokens(redis_url: str) -> list[str]:
    """The LWA access tokens Crossport shares through Redis, unsealed with the app's keys."""
    tokens = []
    for key, value in _redis_values(redis_url).items():
        if ":lwa:" not in key or key.endswith(":lock"):
            continue
        try:
            answer = json.loads(active_keyring().decrypt(value.decode()))
        except (SecretError, ValueError, UnicodeDecodeError):
            continue
        tokens.append(answer["access_token"])
    return tokens


def _secrets(app, shop_id: int, redis_url: str) -> dict[str, str]:
    """Every secret of this journey, by name, in plain text."""
    settings = app.config["SETTINGS"]
    found = {f"app.{name}": getattr(settings, name) for name in APP_SECRETS}
    found |= {f"app.encryption_keys[{i}]": k for i, k in enumerate(settings.encryption_keys)}
    connection = db.session.scalars(
        db.select(StoreConnection).where(StoreConnection.shop_id == shop_id)
    ).one()
    found |= {f"store.{n}": getattr(connection, n) for n in STORE_SECRETS}
    for account in db.session.scalars(
        db.select(AmazonAccount).where(AmazonAccount.shop_id == shop_id)
    ):
        found[f"amazon.{account.region}.refresh_token"] = account.refresh_token
    lwa = _lwa_access_tokens(redis_url)
    assert lwa, "the journey read Amazon with an LWA access token shared through Redis"
    found |= {f"lwa.access_token[{i}]": t for i, t in enumerate(lwa)}
    return {name: value for name, value in found.items() if value and len(value) >= MIN_LENGTH}


def _stored_sealed(shop_id: int, secrets: dict[str, str]) -> list[str]:
    """The store and Amazon secrets as the database file holds them: each must be a Fernet token
    decrypting to the secret. Returns the columns that are not."""
    raw = {}
    with db.engine.connect() as connection:
        row = connection.execute(
            sa.text(f"SELECT {', '.join(STORE_SECRETS)} FROM store_connections WHERE shop_id=:s"),
            {"s": shop_id},
        ).one()
        raw |= {f"store.{n}": v for n, v in zip(STORE_SECRETS, row, strict=True)}
        for region, token in connection.execute(
            sa.text("SELECT region, refresh_token FROM amazon_accounts WHERE shop_id=:s"),
            {"s": shop_id},
        ):
            raw[f"amazon.{region}.refresh_token"] = token
    bad = []
    for name, stored in raw.items():
        if name not in secrets:
            continue
        try:
            if active_keyring().decrypt(stored) != secrets[name]:
                bad.append(name)
        except (SecretError, TypeError, ValueError):
            bad.append(name)
    return bad


def _scan(app, redis_url: str, web_text: str, worker_log: str, secrets: dict[str, str]):
    """Where a plaintext secret sits: {place: names of the secrets found there}."""
    db.session.remove()  # no transaction of the test holds pages back
    blobs = {f"sqlite:{n}": b for n, b in _sqlite_bytes(app).items()}
    blobs |= {f"redis:{k}": v for k, v in _redis_values(redis_url).items()}
    blobs["log:web"] = web_text.encode()
    blobs["log:workers"] = worker_log.encode()
    places = {}
    for place, blob in blobs.items():
        hits = [name for name, value in secrets.items() if value.encode() in blob]
        if hits:
            places[place] = hits
    return places


def _check(app, shop_id, redis_url, web_text, worker_log) -> dict[str, str]:
    secrets = _secrets(app, shop_id, redis_url)
    assert _stored_sealed(shop_id, secrets) == []
    assert _scan(app, redis_url, web_text, worker_log, secrets) == {}
    return secrets


@pytest.mark.slow
def test_no_plaintext_secret_after_a_shopify_journey(trip, redis_url):  # noqa: F811
    trip.shopify("POST", f"/shops/{SHOP}", json={"seed": "demo", "demo_count": 2})
    landed = trip.follow(f"{trip.public_url}/shopify/install?shop={SHOP}")
    assert landed.status_code == 200, landed.text[:300]
    _wait_for_catalogue(trip, 2)
    account = _connect_amazon_us(trip)
    enqueue("jobs.orders.import_orders", account.id, queue="orders", shop_id=account.shop_id)
    wait_for(lambda: _lwa_access_tokens(redis_url), 60, message=trip.logs)
    shop_id = db.session.scalars(db.select(Shop.id).where(Shop.domain == SHOP)).one()
    secrets = _check(trip.app, shop_id, redis_url, trip.log_buffer.getvalue(), trip.logs())
    # the scan looked for the secrets that matter here (expiring offline tokens: both)
    assert {"store.access_token", "store.refresh_token", "amazon.NA.refresh_token",
            "app.shopify_api_secret", "app.lwa_client_secret", "app.secret_key",
            "app.encryption_keys[0]", "lwa.access_token[0]"} <= set(secrets)  # fmt: skip


@pytest.mark.slow
def test_no_plaintext_secret_after_a_woocommerce_journey(world, redis_url, web_log):  # noqa: F811
    world.start_workers(1)
    import_and_map(world)
    account = db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id, region="NA").one()
    enqueue("jobs.orders.import_orders", account.id, queue="orders", shop_id=world.shop_id)
    wait_for(lambda: _lwa_access_tokens(redis_url), 60, message=world.worker_logs)
    secrets = _check(world.app, world.shop_id, redis_url, web_log.getvalue(), world.worker_logs())
    assert {"store.consumer_key", "store.consumer_secret", "store.plugin_token_key",
            "amazon.EU.refresh_token"} <= set(secrets)  # fmt: skip
