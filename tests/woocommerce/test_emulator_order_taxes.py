"""The emulated store's POST /orders against a real store's answers: taxes recomputed, totals and
the e-mails it sends (../shared/specs/woocommerce/captures/orders, README "Orders and taxes")."""

from __future__ import annotations

import copy
import json

import pytest

from integrations.woocommerce.client import WooClient
from sandbox.woocommerce.orders import ADMIN_EMAIL
from tests.support.specs import specs_path

CAPTURES = [
    "create-us-processing",
    "create-de-gross-prices-include-tax",
    "create-de-gross-is_vat_exempt",
    "create-de-net-amounts",
    "create-de-explicit-line-taxes",
]
ORDER_FIELDS = (
    "prices_include_tax",
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
)


def _ids(store) -> dict[int, int]:
    """The capture store's product ids -> seeded ones: 38 simple, 41/46/47 variations."""
    simple = next(p["id"] for p in store.state.products.values() if p["type"] == "simple")
    variations = sorted(store.state.variations)
    return {38: simple, 41: variations[0], 46: variations[1], 47: variations[2]}


def _client(store) -> WooClient:
    key = store.key()
    return WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: None,
    )


@pytest.mark.parametrize("name", CAPTURES)
def test_post_orders_recomputes_taxes_and_emails_as_the_real_store(store, name):
    capture = json.loads(
        specs_path("woocommerce", "captures", "orders", f"{name}.json").read_text()
    )
    # The capture store's setup (captures/README.md): CA 7.25 % and DE 19 %, also on shipping;
    # prices_include_tax=yes only during the create-de-* requests.
    store.control(
        "config",
        {
            "taxes": {
                "enabled": True,
                "rates": "capture",
                "prices_include_tax": name.startswith("create-de"),
            }
        },
    )
    ids = _ids(store)
    body = copy.deepcopy(capture["request"]["body"])
    for line in body["line_items"]:
        for field in ("product_id", "variation_id"):
            if field in line:
                line[field] = ids[line[field]]
    real = capture["response"]["body"]
    order = _client(store).post("orders", body)

    assert {k: order[k] for k in ORDER_FIELDS} == {k: real[k] for k in ORDER_FIELDS}
    line_taxes = ("subtotal", "subtotal_tax", "total", "total_tax")
    assert [{k: li[k] for k in line_taxes} for li in order["line_items"]] == [
        {k: li[k] for k in line_taxes} for li in real["line_items"]
    ]
    assert [(li["taxes"]) for li in order["line_items"]] == [
        li["taxes"] for li in real["line_items"]
    ]
    ship = ("total", "total_tax", "taxes")
    assert [{k: s[k] for k in ship} for s in order["shipping_lines"]] == [
        {k: s[k] for k in ship} for s in real["shipping_lines"]
    ]
    tax_line = ("rate_code", "rate_id", "label", "tax_total", "shipping_tax_total", "rate_percent")
    assert [{k: t[k] for k in tax_line} for t in order["tax_lines"]] == [
        {k: t[k] for k in tax_line} for t in real["tax_lines"]
    ]
    # The e-mails the real store sent (its pre_wp_mail log), the admin's address aside.
    sent = [
        (e["email_id"], ADMIN_EMAIL if e["recipient"] == "admin@shop.test" else e["recipient"])
        for e in capture["emails_logged"]
        if e["kind"] == "woocommerce_email_sent"
    ]
    emails = [
        (e["email_id"], e["recipient"])
        for e in store.control("emails", method="GET")
        if e["order_id"] == order["id"]
    ]
    assert emails == sent


def test_a_status_change_to_completed_emails_the_customer(store):
    """captures/webhooks/scenario-order-status-completed: customer_completed_order; and
    scenario-order-status-cancelled: completed -> cancelled sends nothing."""
    client = _client(store)
    simple = _ids(store)[38]
    order = client.post(
        "orders",
        {
            "status": "processing",
            "billing": {"email": "buyer@example.com"},
            "line_items": [{"product_id": simple, "quantity": 1}],
        },
    )
    for status in ("completed", "cancelled"):
        client.put(f"orders/{order['id']}", {"status": status})
    assert [e["email_id"] for e in store.control("emails", method="GET")] == [
        "new_order",
        "customer_processing_order",
        "customer_completed_order",
    ]
