"""Renewing the WooCommerce page in place: a fresh plugin token is swapped for a page token once,
for the store that signed it only."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest

from core.db import db
from core.models import Shop, StoreConnection, User

STORE_A, KEY_A = "http://127.0.0.1:8103", "token-key-of-store-a-0123456789abcdefghijklm"
STORE_B, KEY_B = "https://shop-b.example/store", "token-key-of-store-b-0123456789abcdefghijklm"


def woo_shop(store_url: str, secret: str, status: str = "connected") -> Shop:
    shop = Shop(platform="woocommerce", domain=store_url, name=store_url)
    db.session.add(shop)
    db.session.flush()
    db.session.add(
        StoreConnection(shop_id=shop.id, base_url=store_url, plugin_token_key=secret, status=status)
    )
    db.session.commit()
    return shop


def plugin_token(store_url: str, secret: str, user_id: str = "1", **claims) -> str:
    """A token as the plugin signs it (includes/token.php)."""
    now = int(time.time())
    body = {
        "iss": store_url,
        "aud": "crossport",
        "sub": user_id,
        "caps": ["manage_options", "manage_woocommerce"],  # an administrator
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    } | claims
    return jwt.encode(body, secret.encode(), algorithm="HS256")


def renew(client, token: str, **kwargs):
    return client.post(
        "/woocommerce/session", headers={"Authorization": f"Bearer {token}"}, **kwargs
    )


def claims_of(page_token: str) -> dict:
    return jwt.decode(page_token, options={"verify_signature": False})


def boot(html: str) -> dict:
    return json.loads(html.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])


@pytest.fixture
def shops(app):
    return woo_shop(STORE_A, KEY_A), woo_shop(STORE_B, KEY_B)


def test_a_fresh_plugin_token_gets_a_page_token_of_its_store_and_user(app, client, shops):
    shop_a, _ = shops
    # given: the seller opened Crossport once (owner), a colleague is a viewer
    db.session.add(User(shop_id=shop_a.id, platform_user_id="1", role="owner"))
    db.session.add(User(shop_id=shop_a.id, platform_user_id="5", role="viewer"))
    db.session.commit()
    # when
    answer = renew(client, plugin_token(STORE_A, KEY_A, user_id="5"))
    # then
    assert answer.status_code == 200, answer.json
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json["expires_in"] == 3600 and answer.json["role"] == "viewer"
    claims = claims_of(answer.json["page_token"])
    assert (claims["shop_id"], claims["sub"], claims["aud"]) == (shop_a.id, "5", "crossport-page")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {answer.json['page_token']}"})
    assert me.status_code == 200
    assert (me.json["shop"]["id"], me.json["user"]["platform_user_id"]) == (shop_a.id, "5")


def test_a_plugin_token_works_once_whichever_way_it_is_replayed(app, client, shops):
    token = plugin_token(STORE_A, KEY_A)
    assert renew(client, token).status_code == 200
    replayed = renew(client, token)
    assert replayed.status_code == 401 and replayed.json["error"] == "token_invalid"
    assert "already used" in replayed.json["message"]
    # nor as a bearer of the JSON API, nor as the iframe's first load
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert boot(client.get(f"/app?wc_token={token}").get_data(as_text=True))["auth_error"]


def test_a_token_that_opened_the_page_cannot_renew_it(app, client, shops):
    token = plugin_token(STORE_A, KEY_A)
    assert boot(client.get(f"/app?wc_token={token}").get_data(as_text=True))["page_token"]
    assert renew(client, token).status_code == 401


def test_forged_expired_or_foreign_tokens_are_refused(app, client, shops):
    now = int(time.time())
    forged = plugin_token(STORE_A, "a-guessed-token-key-0123456789abcdefghijklmn")
    expired = plugin_token(STORE_A, KEY_A, iat=now - 400, exp=now - 100)
    too_long = plugin_token(STORE_A, KEY_A, exp=now + 3600)
    unknown_store = plugin_token("https://nobody.example", KEY_A)
    cases = {
        "forged": (forged, "token_invalid"),
        "expired": (expired, "token_expired"),
        "lives over 5 minutes": (too_long, "token_invalid"),
        "unknown store": (unknown_store, "token_invalid"),
        "not a JWT": ("not-a-token", "token_invalid"),
        "none": ("", "token_missing"),
    }
    for name, (token, code) in cases.items():
        answer = renew(client, token) if token else client.post("/woocommerce/session")
        assert (answer.status_code, answer.json["error"]) == (401, code), name


def test_a_page_token_cannot_renew_itself(app, client, shops):
    page_token = renew(client, plugin_token(STORE_A, KEY_A)).json["page_token"]
    answer = renew(client, page_token)
    assert answer.status_code == 401 and answer.json["error"] == "token_invalid"
    assert "WordPress plugin" in answer.json["message"]


def test_a_token_of_store_a_never_gets_a_page_token_for_store_b(app, client, shops):
    shop_a, shop_b = shops
    # asking for B by parameter changes nothing: the tenant comes from the verified token
    answer = renew(
        client,
        plugin_token(STORE_A, KEY_A),
        query_string={"shop_id": shop_b.id, "store_url": STORE_B},
        json={"shop_id": shop_b.id, "iss": STORE_B},
    )
    assert claims_of(answer.json["page_token"])["shop_id"] == shop_a.id
    # naming B as issuer while signing with A's key fails B's key
    claiming_b = renew(client, plugin_token(STORE_B, KEY_A))
    assert claiming_b.status_code == 401 and claiming_b.json["error"] == "token_invalid"


def test_a_disconnected_store_gets_no_page_token(app, client):
    woo_shop(STORE_A, KEY_A, status="disconnected")
    assert renew(client, plugin_token(STORE_A, KEY_A)).status_code == 401


def test_the_page_knows_the_store_origin_and_may_be_framed_by_it_only(app, client):
    shop = woo_shop(STORE_B, KEY_B)  # WordPress in a subfolder: wp-admin's origin counts
    page = client.get(f"/app?wc_token={plugin_token(STORE_B, KEY_B)}")
    assert boot(page.get_data(as_text=True))["store_origin"] == "https://shop-b.example"
    csp = page.headers["Content-Security-Policy"]
    ancestors = csp.split("frame-ancestors ", 1)[1].split(";")[0].split()
    assert "https://shop-b.example" in ancestors and STORE_B not in ancestors
    assert "connect-src 'self'" in csp  # the exchange is a same-origin call
    # a page token of the store carries the origin on to the next section (by a one-time code)
    token = renew(client, plugin_token(STORE_B, KEY_B)).json["page_token"]
    code = client.post("/app/handoff", headers={"Authorization": f"Bearer {token}"}).json["code"]
    section = boot(client.get(f"/app/pricing?handoff={code}").get_data(as_text=True))
    assert section["store_origin"] == "https://shop-b.example" and section["role"] == "owner"
    assert db.session.get(Shop, shop.id).platform == "woocommerce"
