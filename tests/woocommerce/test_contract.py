"""The emulator answers in the shapes of the official WooCommerce REST docs' examples."""

from __future__ import annotations

import json
import re

import pytest

from integrations.woocommerce.client import WooClient

DOCS = "woocommerce/rest-api-docs-wp-api-v3"


def _example(specs_dir, filename: str, heading: str) -> dict:
    text = (specs_dir / DOCS / filename).read_text()
    section = text.split(heading, 1)[1]
    return json.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _assert_same_shape(ours: dict, example: dict, where: str) -> None:
    assert set(ours) == set(example), f"{where}: fields differ"
    for key, value in example.items():
        if value is None or ours[key] is None:
            continue
        assert _kind(ours[key]) == _kind(value), f"{where}.{key}: {ours[key]!r} vs {value!r}"


@pytest.fixture
def client(store):
    key = store.key()
    return WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: None,
    )


def test_products_and_variations_match_the_docs(specs_dir, client):
    product = client.get("products", per_page=1)[0]
    _assert_same_shape(
        product, _example(specs_dir, "_products.md", "## Retrieve a product ##"), "product"
    )
    variable = client.get("products", type="variable", per_page=1)[0]
    variation = client.get(f"products/{variable['id']}/variations")[0]
    example = _example(specs_dir, "_product-variations.md", "## Retrieve a product variation ##")
    _assert_same_shape(variation, example, "variation")


def test_orders_notes_and_webhooks_match_the_docs(specs_dir, client):
    order = client.post(
        "orders",
        {
            "line_items": [{"sku": "CP-001", "quantity": 1}],
            "shipping_lines": [{"method_id": "flat_rate", "total": "5"}],
        },
    )
    example = _example(specs_dir, "_orders.md", "## Retrieve an order ##")
    _assert_same_shape(order, example, "order")
    assert set(order["line_items"][0]) == set(example["line_items"][0])
    assert set(order["shipping_lines"][0]) >= set(example["shipping_lines"][0])
    note = client.post(f"orders/{order['id']}/notes", {"note": "hello"})
    _assert_same_shape(
        note, _example(specs_dir, "_order-notes.md", "## Retrieve an order note ##"), "note"
    )
    hook = client.post(
        "webhooks", {"topic": "order.updated", "delivery_url": "http://127.0.0.1:9/none"}
    )
    _assert_same_shape(
        hook, _example(specs_dir, "_webhooks.md", "## Retrieve a webhook ##"), "webhook"
    )
