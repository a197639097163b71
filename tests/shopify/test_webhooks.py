"""POST /webhooks/shopify with deliveries from the emulator's sender (signed like Shopify)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import requests
from sqlalchemy import func, select

from core.db import db, utcnow
from core.models import OrderLink, Shop, StoreConnection, WebhookEvent
from jobs.queues import get_queue
from sandbox.shopify.webhooks import sign
from tests.shopify.conftest import API_SECRET


def _events(topic: str | None = None) -> list[WebhookEvent]:
    db.session.expire_all()
    query = select(WebhookEvent).order_by(WebhookEvent.id)
    if topic:
        query = query.where(WebhookEvent.topic == topic)
    return db.session.scalars(query).all()


def _send(env, topic: str, payload: dict, **extra) -> None:
    url = f"{env.serve().url}/webhooks/shopify"
    env.control(
        "POST",
        "/webhooks/send",
        json={"shop": env.shop, "topic": topic, "payload": payload, "url": url, **extra},
    )
    assert env.ext["sender"].flush(10)


def _webhook_jobs(env) -> int:
    return get_queue("webhooks").count


def test_forged_signature_gets_401_and_nothing_is_recorded(installed):
    env, _ = installed
    _send(env, "products/update", {"id": 1}, forged=True)
    log = env.control("GET", "/webhooks/log")
    assert {e["status"] for e in log if e["url"].startswith(env.crossport.url)} == {401}
    assert _events() == [] and _webhook_jobs(env) == 0
    # and an unsigned post straight from anywhere
    raw = requests.post(
        f"{env.serve().url}/webhooks/shopify",
        data=b"{}",
        timeout=5,
        headers={"X-Shopify-Topic": "products/update", "X-Shopify-Event-Id": "x"},
    )
    assert raw.status_code == 401 and _events() == []


def test_the_same_event_three_times_makes_one_job(installed):
    env, shop = installed
    event_id = str(uuid.uuid4())
    for _ in range(3):
        _send(
            env,
            "products/update",
            {"id": 42, "updated_at": "2026-11-26T10:00:00-05:00"},
            event_id=event_id,
        )
    statuses = [
        e["status"] for e in env.control("GET", "/webhooks/log") if e["event_id"] == event_id
    ]
    assert statuses == [200, 200, 200]
    [event] = _events()
    assert (event.shop_id, event.topic, event.resource_id) == (
        shop.id,
        "products/update",
        "gid://shopify/Product/42",  # the stored id form
    )
    assert event.resource_updated_at.isoformat() == "2026-11-26T15:00:00"  # UTC
    assert _webhook_jobs(env) == 1


def test_store_changes_arrive_signed_and_out_of_order_bursts_keep_their_times(installed):
    env, _ = installed
    env.serve()
    pid = next(iter(env.control("GET", f"/shops/{env.shop}")["products"]))
    env.control("POST", "/faults", json={"hold": True})
    for title in ("First", "Second", "Third"):
        env.control("POST", f"/shops/{env.shop}/products/{pid}", json={"title": title})
    env.control("POST", "/webhooks/release", json={"order": "reverse"})
    assert env.ext["sender"].flush(10)
    events = _events("products/update")
    arrived = [e.payload["title"] for e in events]
    assert arrived == ["Third", "Second", "First"]
    newest = max(events, key=lambda e: e.resource_updated_at)
    assert newest.payload["title"] == "Third"  # updated_at says which state is newest


def test_duplicated_and_dropped_deliveries(installed):
    env, _ = installed
    env.serve()
    env.control("POST", "/faults", json={"duplicate": 1})
    env.control("POST", f"/shops/{env.shop}/stock", json={"sku": "DEMO-002", "quantity": 9})
    env.control("POST", "/faults", json={"drop": 1})
    env.control("POST", f"/shops/{env.shop}/stock", json={"sku": "DEMO-002", "quantity": 8})
    assert env.ext["sender"].flush(10)
    [event] = _events("inventory_levels/update")
    assert event.payload["available"] == 9


def test_app_uninstalled_deletes_tokens_and_marks_the_shop(installed):
    env, shop = installed
    env.serve()
    env.control("POST", f"/shops/{env.shop}/uninstall")
    assert env.ext["sender"].flush(10)
    db.session.expire_all()
    shop = db.session.get(Shop, shop.id)
    assert shop.status == "uninstalled"
    assert shop.connection.access_token is None and shop.connection.refresh_token is None
    assert [e.topic for e in _events()] == ["app/uninstalled"]


def test_shop_redact_deletes_the_shops_data(installed):
    env, shop = installed
    shop_id = shop.id
    env.serve()
    # Shopify sends shop/redact 48 hours after the uninstall (the compliance webhooks doc)
    shop.status, shop.uninstalled_at = "uninstalled", utcnow() - timedelta(hours=49)
    db.session.commit()
    env.control("POST", f"/shops/{env.shop}/compliance/shop/redact")
    assert env.ext["sender"].flush(10)
    db.session.expire_all()
    assert db.session.get(Shop, shop_id) is None
    assert db.session.scalar(select(func.count()).select_from(StoreConnection)) == 0
    [event] = _events()
    assert event.topic == "shop/redact" and event.shop_id is None


def test_customers_redact_erases_their_order_details(installed):
    env, shop = installed
    env.serve()
    db.session.add_all(
        [
            OrderLink(
                shop_id=shop.id,
                amazon_order_id="A-1",
                marketplace_id="M",
                store_order_id="gid://shopify/Order/501",
                pii='{"name": "Erika"}',
            ),
            OrderLink(
                shop_id=shop.id,
                amazon_order_id="A-2",
                marketplace_id="M",
                store_order_id="gid://shopify/Order/502",
                pii='{"name": "Max"}',
            ),
        ]
    )
    db.session.commit()
    env.control(
        "POST",
        f"/shops/{env.shop}/compliance/customers/redact",
        json={"customer": {"id": 1}, "orders_to_redact": [501]},
    )
    env.control(
        "POST",
        f"/shops/{env.shop}/compliance/customers/data_request",
        json={"customer": {"id": 1}, "orders_requested": [501]},
    )
    assert env.ext["sender"].flush(10)
    db.session.expire_all()
    pii = {link.amazon_order_id: link.pii for link in db.session.query(OrderLink)}
    assert pii == {"A-1": None, "A-2": '{"name": "Max"}'}
    assert {e.topic for e in _events()} == {"customers/redact", "customers/data_request"}


def test_a_signed_body_is_checked_byte_for_byte(shopify_env):
    body = json.dumps({"id": 7}).encode()
    headers = {
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Shop-Domain": shopify_env.shop,
        "X-Shopify-Event-Id": "evt-1",
        "X-Shopify-Webhook-Id": "whk-1",
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Hmac-Sha256": sign(API_SECRET, body),
        "Content-Type": "application/json",
    }
    assert (
        shopify_env.client.post("/webhooks/shopify", data=body + b" ", headers=headers).status_code
        == 401
    )
    assert (
        shopify_env.client.post("/webhooks/shopify", data=body, headers=headers).status_code == 200
    )
