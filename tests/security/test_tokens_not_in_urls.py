"""Tokens travel in headers, never in URLs, and no log keeps a query string's secrets
(issue 14, finding 9).

- Every route guarded by a token (enumerated from the url_map: a new route is covered without
  editing this file) refuses a valid token sent in the query string, on every method.
- No page reads Crossport's own page token from its URL; what a page URL may carry is exchanged
  at once and checked as what it must be: Shopify's session token (`id_token`, the admin's
  first load), the plugin's single-use token (`wc_token`), a one-time `handoff` code.
- Moving between pages uses a handoff code: single use, short-lived, never the token itself.
- gunicorn, started as the Procfile starts it, logs paths without their query or Referer; the
  app's own log lines mask credentials in any URL they quote.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from core.db import db
from core.logs import configure_logging
from core.models import User
from tests.support.servers import free_port
from tests.web.conftest import make_shop, session_token
from tests.web.test_woocommerce_session import KEY_A, STORE_A, plugin_token, woo_shop
from web.auth import Identity, issue_page_token

REPO = Path(__file__).resolve().parents[2]
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
QUERY_NAMES = ("id_token", "page_token", "wc_token", "token", "access_token", "handoff")
_PARAM = re.compile(r"<(?:(?P<kind>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _guarded_routes() -> list[tuple[str, str]]:
    """(rule, method) of every view behind require_shop (it marks the view with min_role)."""
    from tests.security.routes import bare_app

    app = bare_app()
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "min_role", None) is None:
            continue
        for method in rule.methods - SKIPPED_METHODS:
            found.add((rule.rule, method))
    return sorted(found)


def _page_routes() -> list[str]:
    from tests.security.routes import bare_app

    app = bare_app()
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("pages.") and rule.rule.startswith("/app")
    )


def _path(rule: str) -> str:
    return _PARAM.sub(lambda m: "1" if m.group("kind") == "int" else "dashboard", rule)


GUARDED = _guarded_routes()
PAGES = _page_routes()


@pytest.fixture
def owner(app):
    shop = make_shop("urls.myshopify.com", users={"1": "owner"})
    db.session.commit()
    user = db.session.query(User).filter_by(shop_id=shop.id).one()
    identity = Identity(platform="shopify", domain=shop.domain, user_id="1", shop_id=shop.id)
    return {
        "shop": shop,
        "page_token": issue_page_token(shop, user, identity),
        "session_token": session_token(app, shop.domain, "1"),
    }


def boot(html: str) -> dict:
    raw = html.split('id="crossport-boot"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(raw)


def test_the_route_lists_are_not_empty():
    assert len(GUARDED) > 30 and len(PAGES) >= 3


@pytest.mark.parametrize(("rule", "method"), GUARDED, ids=[f"{m} {r}" for r, m in GUARDED])
def test_a_valid_token_in_the_query_string_is_refused(app, client, owner, rule, method):
    for token in (owner["page_token"], owner["session_token"]):
        query = {name: token for name in QUERY_NAMES}
        answer = client.open(_path(rule), method=method, query_string=query, json={})
        assert answer.status_code == 401, (method, rule, answer.status_code)
        assert answer.json["error"] == "token_missing"


@pytest.mark.parametrize("rule", PAGES)
def test_no_page_takes_a_page_token_from_its_url(app, client, owner, rule):
    token = owner["page_token"]
    for name in ("page_token", "id_token", "wc_token"):
        page = client.get(_path(rule), query_string={name: token})
        assert page.status_code in (200, 404), (rule, name)
        if page.status_code == 200:
            found = boot(page.get_data(as_text=True))
            assert found["role"] == "" and found["page_token"] == "", (rule, name)


def test_a_page_is_opened_with_a_one_time_code_not_a_token(app, client, owner):
    headers = {"Authorization": f"Bearer {owner['page_token']}"}
    assert client.post("/app/handoff").status_code == 401  # the code needs the header token
    answer = client.post("/app/handoff", headers=headers)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    code = answer.json["code"]
    assert answer.json["expires_in"] <= 60 and code not in owner["page_token"]
    page = boot(client.get(f"/app/pricing?handoff={code}").get_data(as_text=True))
    assert page["role"] == "owner" and page["auth_error"] is None
    # the code works once
    again = boot(client.get(f"/app/pricing?handoff={code}").get_data(as_text=True))
    assert again["role"] == "" and again["auth_error"] == "token_invalid"
    # and is gone from Redis, where only a digest of it was ever a key
    from core.redis import get_redis

    assert not [k for k in get_redis().scan_iter("*page-handoff*") if code.encode() in k]


def test_a_woocommerce_page_gets_its_page_token_in_the_body_only(app, client):
    woo_shop(STORE_A, KEY_A)
    first = client.get(f"/app?wc_token={plugin_token(STORE_A, KEY_A)}")
    token = boot(first.get_data(as_text=True))["page_token"]
    assert token and first.headers["Referrer-Policy"] == "strict-origin"
    code = client.post("/app/handoff", headers={"Authorization": f"Bearer {token}"}).json["code"]
    section = client.get(f"/app/orders?handoff={code}")
    fresh = boot(section.get_data(as_text=True))
    assert fresh["role"] == "owner" and fresh["page_token"] and fresh["platform"] == "woocommerce"
    assert "Location" not in section.headers


def test_the_apps_log_masks_credentials_in_any_url_a_message_quotes():
    stream = io.StringIO()
    configure_logging("INFO", [], stream=stream)
    log = logging.getLogger("crossport.test")
    log.warning(
        "refused %s",
        "/app?shop=s.myshopify.com&handoff=HANDOFF1&id_token=JWT1.JWT2&wc_token=WC1"
        "&page_token=PT1&code=CODE1&state=STATE1&spapi_oauth_code=SPAPI1&hmac=HMAC1",
    )
    output = stream.getvalue()
    for secret in ("HANDOFF1", "JWT1", "WC1", "PT1", "CODE1", "STATE1", "SPAPI1", "HMAC1"):
        assert secret not in output, secret
    assert "shop=s.myshopify.com" in output and "handoff=***" in output


def _procfile_web_command(port: int) -> list[str]:
    line = next(
        line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    command = line.split(":", 1)[1].replace("${PORT:-8000}", str(port))
    command = command.replace("${WEB_CONCURRENCY:-2}", "1")
    words = shlex.split(command)
    assert words[0] == "gunicorn"
    return [sys.executable, "-m", "gunicorn", *words[1:]]


def test_gunicorn_started_as_the_procfile_says_logs_no_query_string(test_settings, tmp_path):
    port = free_port()
    env = {**os.environ, **test_settings.to_env(), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "web.log"
    with log_path.open("w") as log_file:
        server = subprocess.Popen(
            _procfile_web_command(port), cwd=REPO, env=env, stdout=log_file, stderr=log_file
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    requests.get(f"{base}/health", timeout=30)  # the worker may still boot
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            referer = {"Referer": f"{base}/app?handoff=REFERERCODE"}
            requests.get(f"{base}/health?code=CALLBACKCODE&state=STATE", timeout=10)
            requests.get(
                f"{base}/app?handoff=HANDOFFCODE&id_token=SESSIONJWT", headers=referer, timeout=10
            )
            requests.post(f"{base}/api/me?page_token=PAGETOKEN", timeout=10)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=10)
    output = log_path.read_text()
    assert '"GET /health HTTP/1.1" 200' in output or '"GET /health HTTP/1.1" 503' in output
    assert '"GET /app HTTP/1.1"' in output, output[-2000:]
    for secret in ("CALLBACKCODE", "STATE", "HANDOFFCODE", "SESSIONJWT", "PAGETOKEN", "REFERER"):
        assert secret not in output, secret
