"""The WordPress plugin's hooks under the php CLI (tests/woocommerce/php/run_hooks.php loads the
whole plugin): Crossport's webhooks delivered synchronously (issue 15, WooCommerce item 2) and
the order screen's tracking box (item 5)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from integrations.woocommerce.orders import FALLBACK_TRACKING_KEY, fulfilments_of

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "wordpress-plugin" / "crossport" / "crossport.php"
HARNESS = Path(__file__).parent / "php" / "run_hooks.php"
PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="the php CLI is not installed")

CROSSPORT = "https://crossport.example"
NONCE = "nonce-of-crossport_tracking_51"  # the stand-in wp_create_nonce's value for order 51


def _run(scenario: dict):
    done = subprocess.run(
        [PHP, str(HARNESS), json.dumps({"plugin": str(PLUGIN), **scenario})],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_only_crossports_own_webhooks_are_delivered_synchronously():
    urls = [
        f"{CROSSPORT}/webhooks/woocommerce",  # Crossport's: delivered at once
        "https://crossport.example.evil.test/webhooks/woocommerce",  # not under the URL
        "https://hooks.zapier.example/abc",  # another app keeps WooCommerce's default
        None,  # some plugins ask the filter without a webhook
    ]
    options = {"crossport_url": CROSSPORT + "/"}
    assert _run({"call": "deliver_async", "options": options, "webhooks": urls}) == [
        False,
        True,
        True,
        True,
    ]
    # another filter's false for other webhooks stands
    assert _run(
        {"call": "deliver_async", "options": options, "default": False, "webhooks": urls[1:3]}
    ) == [False, False]


def test_without_the_option_the_crossport_url_constant_decides():
    urls = ["https://app.crossport.io/webhooks/woocommerce", f"{CROSSPORT}/webhooks/woocommerce"]
    assert _run({"call": "deliver_async", "webhooks": urls}) == [False, True]


@pytest.mark.parametrize("hpos", [True, False])
def test_the_order_screen_gets_a_carrier_and_tracking_box(hpos):
    orders = {"51": {FALLBACK_TRACKING_KEY: [{"carrier": "DHL", "tracking_number": "JJD01"}]}}
    [box] = _run({"call": "boxes", "hpos": hpos, "orders": orders})
    assert box["screen"] == ("woocommerce_page_wc-orders" if hpos else "shop_order")
    assert box["id"] == "crossport-tracking" and box["context"] == "side"
    html = box["html"]
    assert f'name="crossport_tracking_nonce" value="{NONCE}"' in html
    assert 'name="crossport_carrier" value="DHL"' in html
    assert 'name="crossport_tracking_number" value="JJD01"' in html


def _save(post: dict, caps=("edit_shop_orders",), meta: dict | None = None) -> dict:
    orders = {"51": meta or {"_crossport_amazon_order_id": "111-1"}}
    return _run({"call": "save", "post": post, "caps": list(caps), "orders": orders})


def test_saving_the_box_sets_the_tracking_crossport_reads():
    post = {
        "crossport_tracking_nonce": NONCE,
        "crossport_carrier": " DHL ",
        "crossport_tracking_number": "JJD0099<b>",
    }
    saved = _save(post)
    assert saved["saves"] == 1
    [entry] = saved["meta"][FALLBACK_TRACKING_KEY]
    assert (entry["carrier"], entry["tracking_number"]) == ("DHL", "JJD0099")
    assert entry["shipped_at"].endswith("Z")
    # Crossport reads it back from the order's REST meta_data as it reads the REST fallback
    order = {
        "id": 51,
        "meta_data": [
            {"key": "_crossport_amazon_order_id", "value": "111-1"},
            {"key": FALLBACK_TRACKING_KEY, "value": saved["meta"][FALLBACK_TRACKING_KEY]},
        ],
        "line_items": [{"sku": "CP-1", "quantity": 1}],
    }
    [shipment] = fulfilments_of(order)
    assert (shipment.carrier, shipment.tracking_number) == ("DHL", "JJD0099")


def test_a_save_without_a_valid_nonce_or_the_capability_changes_nothing():
    post = {"crossport_carrier": "DHL", "crossport_tracking_number": "JJD01"}
    for bad in (
        _save({**post, "crossport_tracking_nonce": "nonce-of-crossport_tracking_52"}),
        _save({**post, "crossport_tracking_nonce": NONCE}, caps=("read",)),
        _save({}),  # saved from elsewhere (no box in the form): the meta is left alone
    ):
        assert bad["saves"] == 0
        assert FALLBACK_TRACKING_KEY not in bad["meta"]


def test_emptying_the_number_removes_the_tracking_and_an_unchanged_box_saves_nothing():
    meta = {
        FALLBACK_TRACKING_KEY: [
            {"carrier": "DHL", "tracking_number": "JJD01", "shipped_at": "2026-12-01T10:00:00Z"}
        ]
    }
    same = {"crossport_tracking_nonce": NONCE, "crossport_carrier": "DHL"}
    unchanged = _save({**same, "crossport_tracking_number": "JJD01"}, meta=meta)
    assert unchanged["saves"] == 0
    # a corrected carrier keeps the date it shipped
    fixed = _save(
        {**same, "crossport_carrier": "UPS", "crossport_tracking_number": "JJD01"}, meta=meta
    )
    assert fixed["meta"][FALLBACK_TRACKING_KEY][0]["shipped_at"] == "2026-12-01T10:00:00Z"
    emptied = _save({**same, "crossport_tracking_number": ""}, meta=meta)
    assert emptied["saves"] == 1 and not emptied["meta"]
