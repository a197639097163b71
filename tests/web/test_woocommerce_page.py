"""The WooCommerce plugin's iframe: its signed token opens the page once, then a page token."""

from __future__ import annotations

import json
import time
import uuid

import jwt

from core.db import db
from core.models import Shop, StoreConnection

STORE = "http://127.0.0.1:8103"
SECRET = "token-key-of-this-store-0123456789abcdefghij"


def woo_shop() -> Shop:
    shop = Shop(platform="woocommerce", domain=STORE, name="Woo store")
    db.session.add(shop)
    db.session.flush()
    db.session.add(
        StoreConnection(
            shop_id=shop.id, base_url=STORE, plugin_token_key=SECRET, status="connected"
        )
    )
    db.session.commit()
    return shop


def plugin_token(user_id: str = "1", **claims) -> str:
    now = int(time.time())
    body = {
        "iss": STORE,
        "aud": "crossport",
        "sub": user_id,
        "caps": ["manage_options", "manage_woocommerce"],  # an administrator
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    } | claims
    return jwt.encode(body, SECRET.encode(), algorithm="HS256")


def boot(html: str) -> dict:
    return json.loads(html.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])


def test_plugin_token_opens_the_page_once_and_hands_over_a_page_token(app, client):
    shop = woo_shop()
    token = plugin_token()
    first = boot(client.get(f"/app?wc_token={token}").get_data(as_text=True))
    assert first["auth_error"] is None and first["role"] == "owner"
    assert first["platform"] == "woocommerce" and first["page_token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {first['page_token']}"})
    assert me.json["shop"]["id"] == shop.id
    replayed = boot(client.get(f"/app?wc_token={token}").get_data(as_text=True))
    assert replayed["auth_error"] == "token_invalid" and not replayed["page_token"]


def test_plugin_token_signed_with_another_key_is_refused(app, client):
    woo_shop()
    forged = jwt.encode(
        {
            "iss": STORE,
            "aud": "crossport",
            "sub": "1",
            "caps": ["manage_options"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "jti": "x",
        },
        "guessed-key-guessed-key-guessed-key-guessed",
        algorithm="HS256",
    )
    assert client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_page_token_of_one_shop_is_useless_after_expiry(app, client):
    woo_shop()
    page_token = boot(client.get(f"/app?wc_token={plugin_token()}").get_data(as_text=True))[
        "page_token"
    ]
    claims = jwt.decode(page_token, options={"verify_signature": False})
    expired = jwt.encode(
        claims | {"exp": int(time.time()) - 60},
        app.config["SETTINGS"].secret_key,
        algorithm="HS256",
    )
    response = client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.json["error"] == "token_expired"
