"""Installing from the Shopify admin: the OAuth flow end to end, and every way to abuse it."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select, text

from core.db import db
from core.models import Shop
from sandbox.shopify.oauth import callback_hmac
from tests.shopify.conftest import API_SECRET

BAD_SHOPS = [
    "evil.com",
    "x.myshopify.com.evil.com",
    "127.0.0.1",
    "x.myshopify.com:8080",
    "x.myshopify.com/path",
    "",
    "X.MYSHOPIFY.COM",
    "-x.myshopify.com",
    "x.myshopify.com@evil.com",
    "https://x.myshopify.com",
]


def _start(env, shop=None):
    shop = shop or env.shop
    started = env.client.get(f"/shopify/install?shop={shop}")
    approved = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
    return dict(parse_qs(urlsplit(approved.headers["Location"]).query, keep_blank_values=True))


def _params(qs: dict) -> dict:
    return {k: v[0] for k, v in qs.items()}


def test_install_end_to_end_saves_encrypted_expiring_tokens_and_subscribes(installed):
    env, shop = installed
    # then: the shop is installed, its tokens work and are encrypted at rest
    assert shop.status == "installed" and shop.name.startswith("Shop") and shop.currency == "USD"
    conn = shop.connection
    assert conn.access_token.startswith("shpat_") and conn.refresh_token.startswith("shprt_")
    assert conn.token_expires_at is not None
    raw = db.session.execute(text("SELECT access_token FROM store_connections")).scalar_one()
    assert "shpat_" not in raw
    # and every topic Crossport handles is subscribed to its webhook endpoint
    subs = env.control("GET", f"/shops/{env.shop}")["subscriptions"]
    assert {s["topic"] for s in subs} == {
        "PRODUCTS_CREATE",
        "PRODUCTS_UPDATE",
        "PRODUCTS_DELETE",
        "INVENTORY_LEVELS_UPDATE",
        "FULFILLMENTS_CREATE",
        "FULFILLMENTS_UPDATE",
        "ORDERS_CANCELLED",
        "APP_UNINSTALLED",
    }
    assert {s["uri"] for s in subs} == {f"http://127.0.0.1:{env.port}/webhooks/shopify"}
    # and the code was exchanged with expiring=1 (the emulator only then issues a refresh token)
    assert env.ext["state"].shops[env.shop].installed


def test_callback_lands_in_the_embedded_page(shopify_env):
    qs = _params(_start(shopify_env))
    response = shopify_env.client.get(f"/shopify/callback?{urlencode(qs)}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/app?shop={shopify_env.shop}&host=")


def test_reinstall_replaces_tokens_and_keeps_one_set_of_subscriptions(installed):
    env, shop = installed
    first_token = shop.connection.access_token
    again = env.install()
    assert again.id == shop.id
    assert again.connection.access_token != first_token
    assert len(env.control("GET", f"/shops/{env.shop}")["subscriptions"]) == 8


@pytest.mark.parametrize("tamper", ["forged", "missing", "stale"])
def test_callback_with_bad_hmac_is_refused_without_exchanging_the_code(shopify_env, tamper):
    params = _params(_start(shopify_env))
    if tamper == "forged":
        params["hmac"] = "0" * 64
    elif tamper == "missing":
        params.pop("hmac")
    else:
        params["timestamp"] = str(int(time.time()) - 3600)
        params["hmac"] = callback_hmac(API_SECRET, params)  # right key, old timestamp
    before = len(shopify_env.calls(shopify_env.shop))
    response = shopify_env.client.get(f"/shopify/callback?{urlencode(params)}")
    assert response.status_code == 401
    assert len(shopify_env.calls(shopify_env.shop)) == before  # no token request went out
    assert db.session.scalars(select(Shop)).all() == []


def test_replayed_state_is_refused(shopify_env):
    params = _params(_start(shopify_env))
    assert shopify_env.client.get(f"/shopify/callback?{urlencode(params)}").status_code == 302
    # when: the same callback (same state) comes again, with a valid signature
    replay = shopify_env.client.get(f"/shopify/callback?{urlencode(params)}")
    assert replay.status_code == 403


def test_state_from_another_browser_is_refused(shopify_env):
    params = _params(_start(shopify_env))
    stranger = shopify_env.app.test_client()  # no state cookie
    assert stranger.get(f"/shopify/callback?{urlencode(params)}").status_code == 403
    assert db.session.scalars(select(Shop)).all() == []


def test_state_for_another_shop_is_refused(shopify_env):
    params = _params(_start(shopify_env, "other.myshopify.com"))
    params["shop"] = shopify_env.shop
    params["hmac"] = callback_hmac(API_SECRET, params)
    assert shopify_env.client.get(f"/shopify/callback?{urlencode(params)}").status_code == 403


@pytest.mark.parametrize("shop", BAD_SHOPS)
def test_bad_shop_values_get_400_and_no_outbound_request(shopify_env, shop):
    since = time.time()
    response = shopify_env.client.get("/shopify/install", query_string={"shop": shop})
    assert response.status_code == 400
    # the callback is refused before any code exchange too, even when correctly signed
    params = {"code": "abc", "shop": shop, "state": "s", "timestamp": str(int(time.time()))}
    params["hmac"] = callback_hmac(API_SECRET, params)
    assert shopify_env.client.get("/shopify/callback", query_string=params).status_code == 400
    assert shopify_env.control("GET", "/calls", params={"since": since}) == []
