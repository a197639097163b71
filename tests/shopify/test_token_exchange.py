"""Token exchange on the Shopify emulator as Shopify runs it: an online token is one user's
(associated_user, expires_in, no refresh token), an offline token the shop's, and a refused
exchange names what is wrong (sources in sandbox/shopify/oauth.py, _exchange)."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox.shopify.oauth import session_token
from tests.shopify.conftest import API_KEY, API_SECRET

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"


def _exchange(env, **fields) -> requests.Response:
    body = {
        "client_id": API_KEY,
        "client_secret": API_SECRET,
        "grant_type": GRANT,
        "subject_token_type": ID_TOKEN,
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/oauth/access_token", json=body, timeout=10
    )


def _api(env, token: str) -> int:
    return requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/api/2026-07/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": token},
        timeout=10,
    ).status_code


def test_an_online_exchange_gives_the_users_online_token(shopify_env):
    env = shopify_env
    env.seed(seed="demo")
    answer = _exchange(
        env,
        subject_token=session_token(API_KEY, API_SECRET, env.shop, user_id="77"),
        requested_token_type=ONLINE,
        expiring="1",  # applies to offline tokens only
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["associated_user"]["id"] == 77
    assert set(body["associated_user"]) >= {"email", "account_owner", "locale", "collaborator"}
    assert 0 < body["expires_in"] <= 24 * 3600 and body["associated_user_scope"]
    assert "refresh_token" not in body
    assert _api(env, body["access_token"]) == 200


def test_an_offline_exchange_gives_the_shops_token(shopify_env):
    env = shopify_env
    env.seed(seed="demo")
    answer = _exchange(
        env,
        subject_token=session_token(API_KEY, API_SECRET, env.shop),
        requested_token_type=OFFLINE,
        expiring="1",
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "associated_user" not in body and body["refresh_token"]
    assert _api(env, body["access_token"]) == 200


@pytest.mark.parametrize(
    "case, error",
    [
        ("missing", "missing_subject_token"),
        ("forged", "invalid_subject_token"),
        ("expired", "invalid_subject_token"),
        ("other shop", "invalid_subject_token"),
        ("other app", "invalid_subject_token"),
        ("wrong requested type", "invalid_request"),
    ],
)
def test_a_refused_exchange_names_what_is_wrong(shopify_env, case, error):
    env = shopify_env
    env.seed(seed="demo")
    requested = OFFLINE
    if case == "missing":
        subject = None
    elif case == "forged":
        subject = session_token(API_KEY, "not-the-secret", env.shop)
    elif case == "expired":
        subject = session_token(API_KEY, API_SECRET, env.shop, now=time.time() - 600)
    elif case == "other shop":
        subject = session_token(API_KEY, API_SECRET, "someone-else.myshopify.com")
    elif case == "other app":
        subject = session_token("another-app", API_SECRET, env.shop)
    else:
        subject = session_token(API_KEY, API_SECRET, env.shop)
        requested = "urn:shopify:params:oauth:token-type:everything"
    answer = _exchange(env, subject_token=subject, requested_token_type=requested)
    assert answer.status_code == 400
    assert answer.json()["error"] == error and answer.json()["error_description"]
