"""A WooCommerce delivery is destructive only when the store confirms it (issue 14, finding 4).

WooCommerce signs the body of a delivery, never its X-WC-Webhook-Topic header (base64 HMAC-SHA256
of the raw body with the webhook's secret: WC_Webhook::generate_signature). The attack pass took a
captured product.updated delivery, resent it unchanged with `X-WC-Webhook-Topic: product.deleted`,
and Crossport hid the product while its Amazon listing stayed live and no longer followed the
store. A product.deleted now re-reads the product and acts only on the store's answer (404, or
status trash); a product really trashed goes to quantity 0 on every marketplace, not just hidden.

Runs the whole world (tests/jobs/conftest.py): the WooCommerce and SP-API emulators, Crossport over
HTTP connected through the key flow, real workers. Every WooCommerce webhook route of the app
(found in its url_map) gets the re-topic'd delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import requests

from core.db import db
from core.models import Listing, ProductSnapshot, Shop, WebhookEvent
from integrations.woocommerce.connection import client_for
from tests.jobs import conftest as world_fixtures
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import amazon_quantity, import_and_map, publish, wait_until_active

# The world's fixtures (tests/jobs/conftest.py), used here as they are there.
amazon_server = world_fixtures.amazon_server
woo_server = world_fixtures.woo_server
crossport_http = world_fixtures.crossport_http
world = world_fixtures.world


def _woocommerce_webhook_routes(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("woocommerce_webhooks.") and "POST" in rule.methods
    )


def _published(world, product_type: str, variations: bool) -> tuple[ProductSnapshot, list[str]]:
    world.start_workers(2)
    snapshots = import_and_map(world)
    product = next(
        s
        for s in snapshots
        if s.product_type == product_type and (len(s.data["variants"]) > 1) == variations
    )
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    return product, [v["sku"] for v in product.data["variants"]]


def _live_markets(sku: str) -> set[str]:
    return {r.marketplace_id for r in db.session.query(Listing).filter_by(sku=sku, status="active")}


def _processed(topic: str, resource_id: str) -> WebhookEvent | None:
    return (
        db.session.query(WebhookEvent)
        .filter_by(platform="woocommerce", topic=topic, resource_id=resource_id)
        .filter(WebhookEvent.status.in_(("done", "failed")))
        .first()
    )


def _signed_as_the_store(world, body: bytes) -> str:
    """The signature WooCommerce put on the captured delivery (the store's webhook secret)."""
    [secret] = {h["secret"] for h in world.store.control("webhooks", method="GET")}
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_a_product_updated_body_resent_as_product_deleted_deletes_nothing(world):
    product, [sku] = _published(world, "KITCHEN", variations=False)
    markets = _live_markets(sku)
    assert markets
    # given the store's stock is 5 and Amazon shows 5 everywhere; the change's delivery is captured
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 5})
    world.store.wait()
    wait_for(
        lambda: all(amazon_quantity(world, sku).get(m) == 5 for m in markets),
        60,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )
    wait_for(lambda: _processed("product.updated", product.external_id), 60)
    # what that product.updated delivery carried: the product as the REST API shows it, in the
    # compact JSON the emulator sends (sandbox/woocommerce/webhooks.py), signed by the store
    connection = db.session.get(Shop, world.shop_id).connection
    current = client_for(connection).get(f"products/{product.external_id}")
    body = json.dumps(current, separators=(",", ":")).encode()
    signature = _signed_as_the_store(world, body)
    for route in _woocommerce_webhook_routes(world.app):
        # when the attacker resends it with one header changed
        answer = requests.post(
            f"{world.crossport_url}{route}",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-WC-Webhook-Source": world.store.url + "/",
                "X-WC-Webhook-Topic": "product.deleted",
                "X-WC-Webhook-Resource": "product",
                "X-WC-Webhook-Event": "deleted",
                "X-WC-Webhook-ID": "7",
                "X-WC-Webhook-Delivery-ID": "resent-by-an-attacker",
                "X-WC-Webhook-Signature": signature,
            },
            timeout=10,
        )
        assert answer.status_code < 500, answer.text
        wait_for(lambda: _processed("product.deleted", product.external_id), 60)
        # then the store, re-read, still has the product: nothing is deleted or hidden
        snapshot = db.session.get(ProductSnapshot, product.id)
        assert not snapshot.deleted, f"{route}: a re-topic'd delivery hid a live product"
        assert _live_markets(sku) == markets
        assert all(amazon_quantity(world, sku).get(m) == 5 for m in markets)
    # and the listings still follow the store
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 4})
    world.store.wait()
    wait_for(
        lambda: all(amazon_quantity(world, sku).get(m) == 4 for m in markets),
        60,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )


def test_a_product_really_trashed_goes_to_quantity_0_on_every_marketplace(world):
    product, skus = _published(world, "SHIRT", variations=True)
    listed = {sku: _live_markets(sku) for sku in skus}
    assert any(listed.values())
    assert any(q > 0 for sku in skus for q in amazon_quantity(world, sku).values())
    # when the shop manager moves the product to the trash (as wp-admin's Trash link does);
    # WooCommerce then delivers product.deleted {"id": N}
    # (specs/woocommerce/captures/webhooks/scenario-product-trashed.json)
    db.session.rollback()
    connection = db.session.get(Shop, world.shop_id).connection
    client_for(connection).delete(f"products/{product.external_id}")
    world.store.wait()

    # then the product is deleted in Crossport and no variation stays buyable on Amazon
    def all_zero() -> bool:
        return all(
            amazon_quantity(world, sku).get(m) == 0 for sku, ms in listed.items() for m in ms
        )

    wait_for(
        all_zero,
        60,
        message=lambda: (
            f"{ {sku: amazon_quantity(world, sku) for sku in skus} }\n{world.worker_logs()[-3000:]}"
        ),
    )
    assert db.session.get(ProductSnapshot, product.id).deleted
