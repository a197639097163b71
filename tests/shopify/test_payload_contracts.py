"""Webhook bodies the emulator sends follow the documented payloads of ../shared/specs."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from sandbox.shopify.changes import Changes
from sandbox.shopify.order_create import create_order
from sandbox.shopify.seed import demo_products
from sandbox.shopify.state import EmulatorState, gid

CHECKED = ("products/update", "inventory_levels/update", "fulfillments/create")


def _schema(specs_dir, topic):
    path = specs_dir / "shopify" / "webhooks" / f"2026-04.{topic.replace('/', '__')}"
    return json.loads(path.with_name(path.name + ".inferred-schema.json").read_text())


@pytest.fixture
def sent():
    state = EmulatorState(max_available=2000, restore_rate=100)
    bodies: list[tuple[str, dict]] = []
    changes = Changes(state, lambda shop, topic, body: bodies.append((topic, body)))
    shop = state.shop("contract.myshopify.com")
    product = changes.add_product(shop, demo_products()[1])
    variant = shop.variants[product["variant_ids"][0]]
    order, errors = create_order(
        changes,
        shop,
        {
            "email": "buyer@example.com",
            "lineItems": [
                {
                    "variantId": gid("ProductVariant", variant["id"]),
                    "quantity": 1,
                    "requiresShipping": True,
                }
            ],
            "shippingAddress": {
                "firstName": "Erika",
                "lastName": "M",
                "address1": "Hauptstr. 1",
                "city": "Berlin",
                "zip": "10115",
                "countryCode": "DE",
            },
        },
        {"inventoryBehaviour": "DECREMENT_IGNORING_POLICY"},
    )
    assert errors == []
    changes.fulfil(shop, order["id"], [{"company": "DHL", "number": "JD01", "url": "https://t/1"}])
    changes.update_product(shop, product["id"], {"title": "Renamed"})
    return bodies


@pytest.mark.parametrize("topic", CHECKED)
def test_emulator_webhook_bodies_match_the_documented_payload(specs_dir, sent, topic):
    bodies = [body for t, body in sent if t == topic]
    assert bodies, f"no {topic} was sent"
    validator = Draft202012Validator(_schema(specs_dir, topic))
    for body in bodies:
        problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
        assert problems == []
