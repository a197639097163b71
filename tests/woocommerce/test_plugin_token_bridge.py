"""The plugin's token bridge in PHP: the AJAX action answers a fresh token only with a good nonce
and manage_woocommerce, and the page's script config names Crossport's origin, never a secret.
The REST route Crossport hands the token key to keeps it and never answers it.

WordPress is not installed here, so the PHP CLI runs the plugin against small stand-ins for the
WordPress functions it calls (php/run_plugin.php; they behave as WordPress documents them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from integrations.woocommerce.plugin_token import (
    decode_plugin_token,
    redis_replay_guard,
    verify_plugin_token,
)

PLUGIN = Path(__file__).resolve().parents[2] / "wordpress-plugin" / "crossport"
PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="the php CLI is not installed")

STORE = "https://store.example"
CROSSPORT = "https://app.crossport.example:8443/base"
SECRET = "secret-of-crossport-webhooks"
KEY = "token-key-crossport-handed-the-plugin-while-connecting"  # 43+ base64url characters

RUNNER = Path(__file__).resolve().parent / "php" / "run_plugin.php"


def run_plugin(
    call: str,
    *,
    nonce: str = "nonce-of-crossport_token",
    caps=("manage_woocommerce",),
    connected: bool = True,
    rest: dict | None = None,
) -> dict:
    # Crossport's webhooks are there either way: the plugin no longer reads their secret.
    webhooks = {
        "3": ["https://elsewhere.example/hook", "other-secret"],
        "4": [f"{CROSSPORT}/webhooks/woocommerce/1", SECRET],
    }
    scenario = {
        "request": {"action": "crossport_token", "_ajax_nonce": nonce},
        "caps": list(caps),
        "webhooks": webhooks,
        "options": {"crossport_token_key": KEY} if connected else {},
        "crossport_url": CROSSPORT,
        "plugin": str(PLUGIN / "crossport.php"),
        "call": call,
        "rest": rest,
    }
    done = subprocess.run(
        [PHP, str(RUNNER), json.dumps(scenario)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_the_ajax_action_answers_a_fresh_token_crossport_accepts():
    answer = run_plugin("ajax")
    assert answer["status"] == 200 and answer["body"]["success"] is True
    claims = decode_plugin_token(answer["body"]["data"]["token"], KEY, STORE)
    assert (claims["sub"], claims["exp"] - claims["iat"]) == ("7", 300)
    assert claims["caps"] == ["manage_woocommerce"]
    assert answer["headers"] == ["no-cache"]
    # hooked for logged-in users only
    assert "wp_ajax_crossport_token" in answer["hooks"]
    assert not [hook for hook in answer["hooks"] if hook.startswith("wp_ajax_nopriv_")]


def test_each_call_gets_a_token_of_its_own():
    first, second = (run_plugin("ajax")["body"]["data"]["token"] for _ in range(2))
    assert (
        decode_plugin_token(first, KEY, STORE)["jti"]
        != decode_plugin_token(second, KEY, STORE)["jti"]
    )


def test_a_wrong_nonce_a_missing_capability_or_no_connection_gets_no_token():
    assert run_plugin("ajax", nonce="stale")["status"] == 403
    assert run_plugin("ajax", nonce="stale")["body"] == -1
    refused = run_plugin("ajax", caps=("read",))
    assert refused["status"] == 403 and refused["body"]["success"] is False
    unconnected = run_plugin("ajax", connected=False)
    assert (
        unconnected["status"] == 409 and "not connected" in unconnected["body"]["data"]["message"]
    )


def test_the_page_script_is_told_crossports_origin_and_never_the_secret():
    scripts = run_plugin("page")["scripts"]
    enqueued, inline = scripts
    assert enqueued["src"].endswith("/crossport/assets/token-bridge.js") and enqueued["footer"]
    assert inline["position"] == "before"
    assert inline["code"].startswith("window.crossportTokenBridge = ")
    config = json.loads(inline["code"].split(" = ", 1)[1].rstrip(";"))
    assert config == {
        "origin": "https://app.crossport.example:8443",
        "ajaxUrl": f"{STORE}/wp-admin/admin-ajax.php",
        "nonce": "nonce-of-crossport_token",
    }
    assert SECRET not in json.dumps(scripts) and KEY not in json.dumps(scripts)


def save_key(key, caps=("manage_woocommerce",)) -> dict:
    """POST wc/v3/crossport/token-key as Crossport does, as a REST key's user with `caps`."""
    rest = {"path": "/wc/v3/crossport/token-key", "params": {"key": key}}
    return run_plugin("rest", caps=caps, connected=False, rest=rest)


def test_the_rest_route_keeps_crossports_key_unshown_and_never_answers_it():
    key = "k" * 43
    answer = save_key(key)
    assert (answer["status"], answer["body"]) == (200, {"saved": True})
    assert answer["options"]["crossport_token_key"] == key
    assert answer["autoload"]["crossport_token_key"] is False  # not loaded on every page
    assert "rest_api_init" in answer["hooks"]


def test_the_rest_route_refuses_other_users_and_malformed_keys():
    refused = save_key("k" * 43, caps=("read",))
    assert refused["status"] == 403 and "crossport_token_key" not in refused["options"]
    for bad in ("short", "k" * 129, "k" * 42 + "!", 12345, None):
        answer = save_key(bad)
        assert answer["status"] == 400, bad
        assert answer["body"]["code"] == "crossport_invalid_token_key"
        assert "crossport_token_key" not in answer["options"]


def test_the_bridge_script_checks_origin_and_source_and_answers_crossports_origin_only():
    script = (PLUGIN / "assets" / "token-bridge.js").read_text()
    assert "event.origin !== config.origin" in script
    assert "event.source !== frame.contentWindow" in script
    posted = script.split("frame.contentWindow.postMessage(", 1)[1].split(");", 1)[0]
    assert posted.strip().endswith("config.origin") and "'*'" not in script


def test_the_emulated_wp_admin_mirrors_the_bridge(connected, store):
    app, server, shop = connected
    page = requests.get(f"{store.url}/wp-admin/admin.php?page=crossport", timeout=10).text
    config = json.loads(page.split("window.crossportTokenBridge = ", 1)[1].split(";</script>")[0])
    assert config["origin"] == server.url and config["ajaxUrl"].startswith(store.url)
    assert shop.connection.webhook_secret not in page
    assert shop.connection.plugin_token_key not in page
    # the page loads the plugin's own script, byte for byte
    served = requests.get(
        f"{store.url}/wp-content/plugins/crossport/assets/token-bridge.js", timeout=10
    )
    assert served.headers["Content-Type"].startswith("application/javascript")
    assert served.text == (PLUGIN / "assets" / "token-bridge.js").read_text()
    # admin-ajax.php answers a token Crossport accepts, with the page's nonce only
    ajax = f"{store.url}/wp-admin/admin-ajax.php"
    good = requests.post(
        ajax, data={"action": "crossport_token", "_ajax_nonce": config["nonce"]}, timeout=10
    )
    identity = verify_plugin_token(good.json()["data"]["token"], replay_guard=redis_replay_guard)
    assert identity.shop_id == shop.id
    bad = requests.post(
        ajax, data={"action": "crossport_token", "_ajax_nonce": "0123456789"}, timeout=10
    )
    assert (bad.status_code, bad.text) == (403, "-1")
    unknown = requests.post(ajax, data={"action": "something_else"}, timeout=10)
    assert (unknown.status_code, unknown.text) == (400, "0")
