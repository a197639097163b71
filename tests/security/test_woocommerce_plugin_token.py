"""The WordPress plugin's token: only the plugin can sign it, and the role comes from WordPress
capabilities, never from a user id (issue 14, finding 3).

The attack pass: the plugin's signing key was derived from the webhook secret, which anyone with
manage_woocommerce reads in WooCommerce > Settings > Advanced > Webhooks (the webhook edit screen
shows its Secret field); a shop manager self-signed a token with sub=1, the administrator who had
opened Crossport first, and got the owner role. Now the key is one Crossport hands the plugin over
the store's authenticated REST API while connecting, and the role's ceiling comes from the `caps`
the plugin vouches for (manage_options: owner; manage_woocommerce: admin at most).

Every route that takes a plugin token is attacked (found in the app's url_map: the session
exchange, the page entries that read `wc_token`, and the JSON API's bearer routes).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import jwt
import pytest
import requests

from core.db import db
from core.models import User
from tests.woocommerce import conftest as store_fixtures

PLUGIN = Path(__file__).resolve().parents[2] / "wordpress-plugin" / "crossport"
PHP = shutil.which("php")
ADMINISTRATOR = ("manage_options", "manage_woocommerce")
SHOP_MANAGER = ("manage_woocommerce",)

# The emulated store and Crossport connected through the key flow (tests/woocommerce/conftest.py).
store_server = store_fixtures.store_server
store = store_fixtures.store
crossport_server = store_fixtures.crossport_server
crossport = store_fixtures.crossport
connected = store_fixtures.connected


def _token(store_url: str, key: bytes, sub: str, caps=ADMINISTRATOR, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": store_url,
        "aud": "crossport",
        "sub": sub,
        "caps": list(caps),
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
    } | claims
    return jwt.encode(body, key, algorithm="HS256")


def _plugin_signed(store_url: str, key: str, user_id: int, caps) -> str:
    """A token signed by the plugin's own PHP (includes/token.php) with the key it holds."""
    script = (
        f"require {json.dumps(str(PLUGIN / 'includes' / 'token.php'))};"
        f"$c = crossport_token_claims({json.dumps(store_url)}, {user_id}, "
        f"json_decode({json.dumps(json.dumps(list(caps)))}));"
        f"echo crossport_sign_token($c, {json.dumps(key)});"
    )
    done = subprocess.run([PHP, "-r", script], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _token_routes(app) -> list[tuple[str, str, str]]:
    """(method, path, how the token travels) for every route that takes a plugin token."""
    routes = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if rule.arguments:
            continue
        if rule.endpoint.startswith("woocommerce_session."):
            routes += [(m, rule.rule, "bearer") for m in methods]
        elif rule.endpoint.startswith("pages.") and rule.rule.startswith("/app"):
            routes.append(("GET", rule.rule, "wc_token"))
        elif rule.endpoint.startswith("api.") and "GET" in methods:
            routes.append(("GET", rule.rule, "bearer"))
    return sorted(routes)


def _accepted(server_url: str, method: str, path: str, how: str, token: str) -> bool:
    """Whether the route took the token as someone's (a page session, or a 2xx JSON answer)."""
    if how == "wc_token":
        page = requests.get(f"{server_url}{path}", params={"wc_token": token}, timeout=10).text
        boot = json.loads(page.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])
        return bool(boot.get("page_token")) or boot.get("auth_error") is None
    answer = requests.request(
        method, f"{server_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return answer.status_code < 300


def _open_as_administrator(store_url: str) -> dict:
    """wp-admin → WooCommerce → Crossport, as the emulated administrator (user 1)."""
    admin = requests.get(f"{store_url}/wp-admin/admin.php?page=crossport", timeout=30).text
    # the plugin writes id="crossport-app" src="…"; either quote style is HTML
    src = html.unescape(
        re.search(r"""id=(["'])crossport-app\1 src=(["'])(.+?)\2""", admin).group(3)
    )
    page = requests.get(src, timeout=30).text
    return json.loads(page.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])


def _roles(shop_id: int) -> dict[str, str]:
    db.session.rollback()  # see the server's commits
    return {u.platform_user_id: u.role for u in db.session.query(User).filter_by(shop_id=shop_id)}


def test_a_token_signed_with_the_webhook_secret_is_refused_on_every_route(connected, store):
    app, server, shop = connected
    # given the administrator (user 1) opened Crossport first and is its owner
    assert _open_as_administrator(store.url)["auth_error"] is None
    assert _roles(shop.id) == {"1": "owner"}
    # when a shop manager reads the webhook secret on the webhook edit screen
    [secret] = {h["secret"] for h in store.control("webhooks", method="GET")}
    old_key = hmac.new(secret.encode(), b"crossport-plugin-token", hashlib.sha256).digest()
    routes = _token_routes(app)
    assert ("POST", "/woocommerce/session", "bearer") in routes
    assert ("GET", "/app", "wc_token") in routes and ("GET", "/api/me", "bearer") in routes
    for name, key in (("derived as before", old_key), ("the secret itself", secret.encode())):
        for method, path, how in routes:
            forged = _token(store.url, key, sub="1")  # the owner's user id, as administrator
            # then no route takes it
            assert not _accepted(server.url, method, path, how, forged), (name, method, path)
    # and nobody's role changed, nobody was added
    assert _roles(shop.id) == {"1": "owner"}


def test_the_token_key_is_nowhere_store_staff_can_read_it(connected, store):
    app, server, shop = connected
    key = shop.connection.plugin_token_key
    # the plugin holds the key Crossport handed it while connecting, not the webhook secret
    assert key and store.state.plugin_options["crossport_token_key"] == key
    assert key != shop.connection.webhook_secret
    # not on the webhook screens, not on the Crossport page, and the route never answers it
    assert key not in json.dumps(store.control("webhooks", method="GET"))
    page = requests.get(f"{store.url}/wp-admin/admin.php?page=crossport", timeout=10)
    assert key not in page.text
    asked = requests.get(f"{store.url}/wp-json/wc/v3/crossport/token-key", timeout=10)
    assert asked.status_code >= 400 and key not in asked.text
    # a token signed with it by anyone but the plugin would need the key itself
    assert _accepted(server.url, "GET", "/api/me", "bearer", _token(store.url, key.encode(), "1"))


@pytest.mark.skipif(PHP is None, reason="the php CLI is not installed")
def test_the_role_comes_from_the_capabilities_the_plugin_vouches_for(connected, store):
    app, server, shop = connected
    key = store.state.plugin_options["crossport_token_key"]  # what the plugin signs with

    def session(user_id: int, caps) -> requests.Response:
        token = _plugin_signed(store.url, key, user_id, caps)
        return requests.post(
            f"{server.url}/woocommerce/session",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    owner = session(1, ADMINISTRATOR)
    assert owner.json()["role"] == "owner"
    # a shop manager who opens Crossport later is a viewer
    assert session(7, SHOP_MANAGER).json()["role"] == "viewer"
    # and even when an owner grants them owner, their WordPress capabilities cap them at admin
    manager = db.session.query(User).filter_by(shop_id=shop.id, platform_user_id="7").one()
    granted = requests.put(
        f"{server.url}/api/team/{manager.id}",
        json={"role": "owner"},
        headers={"Authorization": f"Bearer {owner.json()['page_token']}"},
        timeout=10,
    )
    assert granted.status_code == 200, granted.text
    assert session(7, SHOP_MANAGER).json()["role"] == "admin"
    # the user id gives nothing: user 1 without manage_options (demoted in WordPress) is admin
    assert session(1, SHOP_MANAGER).json()["role"] == "admin"
    # a user the plugin vouches no capability for gets no session at all
    assert session(9, ("read",)).status_code == 401
    # and a WordPress administrator becomes owner again of a shop left without one
    assert session(1, ADMINISTRATOR).json()["role"] == "owner"


def test_a_token_without_capabilities_is_refused(connected, store):
    app, server, shop = connected
    key = shop.connection.plugin_token_key.encode()
    for caps in (None, "manage_options", [1], {}, []):
        token = _token(store.url, key, "1")
        claims = jwt.decode(token, options={"verify_signature": False})
        if caps is None:
            del claims["caps"]  # as a plugin older than the token key signed
        else:
            claims["caps"] = caps
        token = jwt.encode(claims, key, algorithm="HS256")
        assert not _accepted(server.url, "POST", "/woocommerce/session", "bearer", token), caps
    assert _roles(shop.id) == {}
