"""Webhooks from the store: verification, dedupe, and the sweep that heals what was lost."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import requests

from core.db import db
from core.models import WebhookEvent
from integrations.woocommerce.connection import client_for
from integrations.woocommerce.reconcile import sweep
from jobs.queues import get_queue


def _events() -> list[WebhookEvent]:
    db.session.rollback()  # end the test's read transaction to see the server's commits
    return db.session.scalars(db.select(WebhookEvent)).all()


def _product(store, sku: str) -> dict:
    return next(p for p in store.state.products.values() if p["sku"] == sku)


def _post(server, store, body: bytes, signature: str, topic: str = "product.updated"):
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": store.url + "/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-ID": "1",
        "X-WC-Webhook-Delivery-ID": "abc",
        "X-WC-Webhook-Signature": signature,
    }
    return requests.post(
        f"{server.url}/webhooks/woocommerce", data=body, headers=headers, timeout=10
    )


def test_a_forged_signature_gets_401_and_nothing_is_recorded(connected, store):
    app, server, shop = connected
    body = json.dumps({"id": 123, "date_modified_gmt": "2026-01-01T00:00:00"}).encode()
    forged = base64.b64encode(hmac.new(b"not-the-secret", body, hashlib.sha256).digest())
    assert _post(server, store, body, forged.decode()).status_code == 401
    assert _post(server, store, body, "").status_code == 401
    assert _events() == []
    assert get_queue("webhooks").count == 0


def test_a_correct_signature_is_recorded_and_enqueued(connected, store):
    app, server, shop = connected
    body = json.dumps({"id": 123, "date_modified_gmt": "2026-01-01T00:00:00"}).encode()
    good = base64.b64encode(
        hmac.new(shop.connection.webhook_secret.encode(), body, hashlib.sha256).digest()
    )
    assert _post(server, store, body, good.decode()).status_code == 200
    assert [(e.topic, e.resource_id) for e in _events()] == [("product.updated", "123")]
    assert get_queue("webhooks").count == 1


def test_the_creation_ping_is_answered_without_recording(connected):
    app, server, shop = connected
    answer = requests.post(
        f"{server.url}/webhooks/woocommerce", data={"webhook_id": "77"}, timeout=10
    )
    assert answer.status_code == 200
    assert _events() == []


def test_duplicate_deliveries_make_one_event_and_one_job(connected, store):
    app, server, shop = connected
    product = _product(store, "CP-002")
    store.control("webhooks/faults", {"duplicate": 1})
    store.control(f"products/{product['id']}/stock", {"stock_quantity": 9})
    store.wait()
    deliveries = [
        d for d in store.control("deliveries", method="GET") if d["topic"] == "product.updated"
    ]
    assert [d["status"] for d in deliveries] == [200, 200]
    events = _events()
    assert [(e.topic, e.resource_id) for e in events] == [("product.updated", str(product["id"]))]
    assert get_queue("webhooks").count == 1


def test_a_dropped_delivery_is_found_by_the_sweep(connected, store):
    app, server, shop = connected
    client = client_for(shop.connection)
    secret = shop.connection.webhook_secret
    checkpoint = "2020-01-01T00:00:00Z"
    first = sweep(client, since=checkpoint, public_url=server.url, secret=secret)
    product = _product(store, "CP-003")
    # the store changes a price but the delivery is lost on the way
    store.control("webhooks/faults", {"drop": 1})
    store.control(f"products/{product['id']}/price", {"regular_price": "99.00"})
    store.wait()
    assert _events() == []
    # the sweep lists the change
    result = sweep(client, since=first.checkpoint, public_url=server.url, secret=secret)
    assert str(product["id"]) in result.product_ids
    assert result.webhooks.created == [] and result.webhooks.reactivated == []


def test_a_webhook_disabled_after_failures_is_reenabled_by_the_sweep(connected, store):
    app, server, shop = connected
    product = _product(store, "CP-004")
    # the 7th consecutive failed delivery disables the webhook, as WooCommerce 11 does
    # (captures/webhooks/failing-progression.json)
    store.control("webhooks/faults", {"fail": 7, "fail_status": 500})
    for quantity in range(7):
        store.control(f"products/{product['id']}/stock", {"stock_quantity": 20 + quantity})
        store.wait()
    hooks = {h["topic"]: h for h in store.control("webhooks", method="GET")}
    assert hooks["product.updated"]["status"] == "disabled"
    # while disabled, changes are not delivered at all
    store.control(f"products/{product['id']}/stock", {"stock_quantity": 3})
    store.wait()
    assert _events() == []
    # the sweep re-enables it
    result = sweep(
        client_for(shop.connection),
        since="2020-01-01T00:00:00Z",
        public_url=server.url,
        secret=shop.connection.webhook_secret,
    )
    assert result.webhooks.reactivated == ["product.updated"]
    assert str(product["id"]) in result.product_ids
    hooks = {h["topic"]: h for h in store.control("webhooks", method="GET")}
    assert hooks["product.updated"]["status"] == "active"
    # and the next change arrives, signed with the same secret
    store.control(f"products/{product['id']}/stock", {"stock_quantity": 4})
    store.wait()
    assert [e.resource_id for e in _events()] == [str(product["id"])]


def test_a_missing_webhook_is_recreated_by_the_sweep(connected, store):
    app, server, shop = connected
    hook = next(h for h in store.control("webhooks", method="GET") if h["topic"] == "order.updated")
    client = client_for(shop.connection)
    client.delete(f"webhooks/{hook['id']}", force=True)
    result = sweep(client, since=None, public_url=server.url, secret=shop.connection.webhook_secret)
    assert result.webhooks.created == ["order.updated"]
    topics = sorted(h["topic"] for h in store.control("webhooks", method="GET"))
    assert topics == ["order.updated", "product.created", "product.deleted", "product.updated"]


def test_a_trashed_product_whose_webhook_was_lost_is_found_by_the_sweep(connected, store):
    app, server, shop = connected
    client = client_for(shop.connection)
    secret = shop.connection.webhook_secret
    first = sweep(client, since="2020-01-01T00:00:00Z", public_url=server.url, secret=secret)
    product = _product(store, "CP-005")
    store.control("webhooks/faults", {"drop": 1})
    client.delete(f"products/{product['id']}")  # to the trash, as wp-admin does
    store.wait()
    result = sweep(client, since=first.checkpoint, public_url=server.url, secret=secret)
    assert str(product["id"]) in result.product_ids


def test_a_delayed_delivery_carries_the_current_state_and_collapses(connected, store):
    app, server, shop = connected
    product = _product(store, "CP-006")
    store.control("webhooks/faults", {"delay": 1, "delay_seconds": 0.5})
    store.control(f"products/{product['id']}/stock", {"stock_quantity": 11})
    store.control(f"products/{product['id']}/stock", {"stock_quantity": 12})
    store.wait()
    # WooCommerce builds the payload when it delivers: the late delivery of the first change
    # already shows the second state, so both deliveries are the same event.
    deliveries = [
        d for d in store.control("deliveries", method="GET") if d["topic"] == "product.updated"
    ]
    assert [d["status"] for d in deliveries] == [200, 200]
    assert [e.payload["stock_quantity"] for e in _events()] == [12]


def test_a_redelivery_of_an_event_never_enqueued_enqueues_it(connected, store):
    app, server, shop = connected
    body = json.dumps({"id": 321, "date_modified_gmt": "2026-01-01T00:00:00"}).encode()
    good = base64.b64encode(
        hmac.new(shop.connection.webhook_secret.encode(), body, hashlib.sha256).digest()
    ).decode()
    assert _post(server, store, body, good).status_code == 200
    # given the enqueue was lost (Redis flushed) and the event sat there for minutes
    get_queue("webhooks").empty()
    [event] = _events()
    event.received_at = event.received_at - timedelta(minutes=5)
    db.session.commit()
    # when the same delivery comes again, the event is enqueued once more
    assert _post(server, store, body, good).status_code == 200
    assert len(_events()) == 1
    assert get_queue("webhooks").count == 1
