"""App Bridge session tokens from the emulator's admin, verified by Crossport."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from integrations.shopify.session_token import InvalidSessionToken, decode_session_token
from tests.shopify.conftest import API_KEY, API_SECRET


def _token(env, **body) -> str:
    return env.control("POST", f"/shops/{env.shop}/session-token", json=body)["token"]


def test_admin_page_token_names_the_shop(installed):
    env, _ = installed
    # the same endpoint the admin page's window.shopify.idToken() calls
    token = requests.post(f"{env.emulator.url}/store/{env.shop}/admin/_id_token", timeout=5).json()[
        "token"
    ]
    claims = decode_session_token(token, API_KEY, API_SECRET)
    assert claims.shop == env.shop and claims.user_id == "42"
    assert claims.claims["exp"] - claims.claims["iat"] == 60


@pytest.mark.parametrize(
    "body,expired",
    [
        ({"now": time.time() - 600}, True),
        ({"secret": "not-the-app-secret"}, False),
        ({"aud": "another-app"}, False),
        ({"iss": "https://other.myshopify.com/admin"}, False),
        ({"dest": "https://evil.com", "iss": "https://evil.com/admin"}, False),
    ],
)
def test_bad_session_tokens_are_refused(shopify_env, body, expired):
    token = _token(shopify_env, **body)
    with pytest.raises(InvalidSessionToken) as refused:
        decode_session_token(token, API_KEY, API_SECRET)
    assert refused.value.expired is expired


def test_missing_claims_are_refused():
    now = int(time.time())
    token = jwt.encode({"aud": API_KEY, "exp": now + 60, "nbf": now}, API_SECRET, "HS256")
    with pytest.raises(InvalidSessionToken):
        decode_session_token(token, API_KEY, API_SECRET)


def test_session_endpoint_exchanges_a_token_for_a_new_shop(shopify_env):
    from core.models import Shop

    shopify_env.seed()
    shopify_env.ext["state"].shop(shopify_env.shop).installed = True  # managed install
    token = _token(shopify_env)
    response = shopify_env.client.post(
        "/shopify/session", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.data
    from core.db import db

    record = db.session.query(Shop).filter_by(domain=shopify_env.shop).one()
    assert record.connection.access_token.startswith("shpat_")
    grants = [c["grant_type"] for c in shopify_env.calls(shopify_env.shop, kind="token")]
    assert grants == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    expired = _token(shopify_env, now=time.time() - 600)
    again = shopify_env.client.post(
        "/shopify/session", headers={"Authorization": f"Bearer {expired}"}
    )
    assert again.status_code == 401 and again.json["error"] == "token_expired"
