"""Forged App Bridge session tokens are refused on every route that takes one.

The routes are read from the app's url_map: any route that answers 401 without a token is
token-guarded (a new route is covered without editing this file), and each forgery must get
the same 401 there. The forgeries are the JWT attacks on Shopify's session token (shopify.dev,
"Session tokens": HS256 with the app secret, `aud` the app's API key, `dest` the shop, `iss` its
admin, `exp`/`nbf`): no signature, another key, the public API key as the key, another
algorithm, expired, not yet valid, another or no audience, an audience list holding the key
(issue 14 finding 8: PyJWT accepts a list containing the audience unless `strict_aud`), and a
destination other than the issuer.
"""

from __future__ import annotations

import re
import time

import jwt
import pytest

from core.db import db
from tests.web.conftest import make_shop, session_token

SHOP = "tokens.myshopify.com"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
VARIABLE = re.compile(r"<(?:(\w+):)?\w+>")  # werkzeug's <converter:name> or <name>


def _claims(app, **changes) -> dict:
    now = int(time.time())
    claims = {
        "iss": f"https://{SHOP}/admin",
        "dest": f"https://{SHOP}",
        "aud": app.config["SETTINGS"].shopify_api_key,
        "sub": "1",
        "exp": now + 60,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": "jti-forgery",
        "sid": "sid",
    }
    for name, value in changes.items():
        claims.pop(name, None) if value is None else claims.__setitem__(name, value)
    return claims


def _signed(app, algorithm: str = "HS256", key: str | None = None, **changes) -> str:
    secret = key if key is not None else app.config["SETTINGS"].shopify_api_secret
    return jwt.encode(_claims(app, **changes), secret, algorithm=algorithm)


def _key(app) -> str:
    return app.config["SETTINGS"].shopify_api_key


FORGERIES = {
    "aud list holding the key": lambda app: _signed(app, aud=[_key(app), "another-app"]),
    "aud list of the key alone": lambda app: _signed(app, aud=[_key(app)]),
    "no aud": lambda app: _signed(app, aud=None),
    "another aud": lambda app: _signed(app, aud="another-apps-api-key"),
    "alg none": lambda app: jwt.encode(_claims(app), None, algorithm="none"),
    "another secret": lambda app: _signed(app, key="not-the-app-secret-but-long-enough-x"),
    "the public api key as secret": lambda app: _signed(app, key=_key(app).ljust(32, "x")),
    "HS512 with the secret": lambda app: _signed(app, algorithm="HS512"),
    "expired": lambda app: _signed(app, exp=int(time.time()) - 120),
    "not yet valid": lambda app: _signed(app, nbf=int(time.time()) + 600),
    "dest not the issuer": lambda app: _signed(app, dest="https://other.myshopify.com"),
    "dest not a shop": lambda app: _signed(
        app, dest="https://evil.example", iss="https://evil.example/admin"
    ),
}


def _guarded_routes(app, client) -> list[tuple[str, str]]:
    """(method, path) of every route answering 401 without a token, path variables filled."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = VARIABLE.sub(lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        for method in sorted(rule.methods - SKIPPED_METHODS):
            answer = client.open(path, method=method, json={})
            if answer.status_code == 401:
                found.append((method, path))
    return found


@pytest.fixture
def guarded(app, client):
    shop = make_shop(SHOP, users={"1": "owner"})
    db.session.commit()
    routes = _guarded_routes(app, client)
    assert ("GET", "/api/me") in routes and ("POST", "/shopify/session") in routes
    # the genuine token passes where the forgeries are tried
    genuine = session_token(app, shop.domain, "1")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {genuine}"}).status_code == 200
    return routes


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512's key size
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forged_session_token_is_refused_on_every_guarded_route(app, client, guarded, forgery):
    token = FORGERIES[forgery](app)
    accepted = []
    for method, path in guarded:
        answer = client.open(
            path, method=method, json={}, headers={"Authorization": f"Bearer {token}"}
        )
        if answer.status_code != 401:
            accepted.append((method, path, answer.status_code))
    assert accepted == [], f"{forgery} got past {len(accepted)} of {len(guarded)} routes"
