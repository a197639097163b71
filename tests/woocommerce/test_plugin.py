"""The WordPress plugin: valid PHP, and tokens it signs are accepted by Crossport."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from integrations.woocommerce.plugin_token import (
    InvalidPluginToken,
    decode_plugin_token,
    redis_replay_guard,
    verify_plugin_token,
)

PLUGIN = Path(__file__).resolve().parents[2] / "wordpress-plugin" / "crossport"
PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="the php CLI is not installed")


KEY = "per-connection-token-key-handed-to-the-plugin-0123"


def _php_token(
    store_url: str,
    key: str,
    user_id: int = 7,
    now: int | None = None,
    caps: tuple[str, ...] = ("manage_woocommerce",),
) -> str:
    script = (
        f"require {json.dumps(str(PLUGIN / 'includes' / 'token.php'))};"
        f"$c = crossport_token_claims({json.dumps(store_url)}, {user_id}, "
        f"json_decode({json.dumps(json.dumps(list(caps)))}){', ' + str(now) if now else ''});"
        f"echo crossport_sign_token($c, {json.dumps(key)});"
    )
    done = subprocess.run(
        [PHP, "-r", script], capture_output=True, text=True, timeout=20, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("path", sorted(str(p) for p in PLUGIN.rglob("*.php")))
def test_every_plugin_file_is_valid_php(path):
    done = subprocess.run([PHP, "-l", path], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_token_signed_by_the_plugin_verifies_in_python():
    token = _php_token("https://store.example", KEY, caps=("manage_woocommerce", "read"))
    claims = decode_plugin_token(token, KEY, "https://store.example")
    assert claims["aud"] == "crossport" and claims["sub"] == "7"
    assert claims["caps"] == ["manage_woocommerce"]  # only the capabilities it vouches for
    assert claims["exp"] - claims["iat"] == 300
    assert len(claims["jti"]) == 32


def test_a_token_with_another_key_issuer_age_or_no_capability_is_refused():
    token = _php_token("https://store.example", KEY)
    with pytest.raises(InvalidPluginToken):
        decode_plugin_token(
            token, "another-key-0123456789abcdefghijklmnopqrstuvwxyz", "https://store.example"
        )
    with pytest.raises(InvalidPluginToken):
        decode_plugin_token(token, KEY, "https://other.example")
    old = _php_token("https://store.example", KEY, now=int(time.time()) - 400)
    with pytest.raises(InvalidPluginToken):
        decode_plugin_token(old, KEY, "https://store.example")
    customer = _php_token("https://store.example", KEY, caps=("read",))
    with pytest.raises(InvalidPluginToken, match="manage_woocommerce"):
        decode_plugin_token(customer, KEY, "https://store.example")


def test_the_token_identifies_the_connected_store_once(connected, store):
    app, server, shop = connected
    token = _php_token(store.url, shop.connection.plugin_token_key)
    seen: set[str] = set()

    def guard(jti: str, ttl: int) -> bool:
        fresh = jti not in seen
        seen.add(jti)
        return fresh

    identity = verify_plugin_token(token, replay_guard=guard)
    assert (identity.shop_id, identity.wp_user_id, identity.max_role) == (shop.id, "7", "admin")
    with pytest.raises(InvalidPluginToken):
        verify_plugin_token(token, replay_guard=guard)


def test_the_emulated_admin_page_embeds_crossport_with_a_valid_token(connected, store):
    app, server, shop = connected
    page = requests.get(f"{store.url}/wp-admin/admin.php?page=crossport", timeout=10).text
    assert 'id="crossport-menu"' in page or "id='crossport-menu'" in page
    token = re.split("[\"']", page.split("wc_token=")[1])[0]  # either quote style is HTML
    assert verify_plugin_token(token, replay_guard=redis_replay_guard).shop_id == shop.id
    with pytest.raises(InvalidPluginToken):
        verify_plugin_token(token, replay_guard=redis_replay_guard)


def test_the_plugin_gives_no_recipient_to_customer_emails_of_amazon_orders():
    """The second guard behind orders created without a billing e-mail: WooCommerce filters
    each e-mail's recipient through woocommerce_email_recipient_{id} (WC_Email::get_recipient)
    and sends nothing to an empty one."""
    script = (
        "define('ABSPATH', '/'); $filters = array();"
        "function add_filter($h, $cb, $p = 10, $n = 1) { $GLOBALS['filters'][$h] = $cb; }"
        "class Order { public $meta; function __construct($m) { $this->meta = $m; }"
        " function get_meta($k) { return $this->meta[$k] ?? ''; } }"
        f"require {json.dumps(str(PLUGIN / 'includes' / 'amazon-orders.php'))};"
        "$amazon = new Order(array('_crossport_amazon_order_id' => '111-1'));"
        "$own = new Order(array());"
        "$out = array();"
        "foreach (array('customer_processing_order', 'customer_completed_order',"
        " 'customer_note', 'new_order') as $id) {"
        " $f = $GLOBALS['filters']['woocommerce_email_recipient_' . $id] ?? null;"
        " $out[$id] = array($f ? $f('buyer@x', $amazon) : 'buyer@x',"
        " $f ? $f('buyer@x', $own) : 'buyer@x'); }"
        "echo json_encode($out);"
    )
    done = subprocess.run(
        [PHP, "-r", script], capture_output=True, text=True, timeout=20, check=True
    )
    assert json.loads(done.stdout) == {
        "customer_processing_order": ["", "buyer@x"],
        "customer_completed_order": ["", "buyer@x"],
        "customer_note": ["", "buyer@x"],
        "new_order": ["buyer@x", "buyer@x"],  # the admin's e-mail is not the buyer's
    }
