"""POST /webhooks/shopify: verify the signature over the raw body, deduplicate on the event id,
record the event, enqueue its processing, answer in milliseconds.

Compliance topics are settled here, synchronously: they are quick database writes, and
Shopify expects them honoured whether or not a worker runs.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import Alert, Shop, WebhookEvent
from core.webhook_records import kept_payload
from integrations.shopify.oauth import valid_shop_domain
from integrations.shopify.webhook_topics import DeliveryMismatch, check_delivery
from integrations.shopify.webhooks import (
    BadDeliveryHeaders,
    read_delivery_headers,
    signature_header,
    verify_webhook,
)

log = logging.getLogger("crossport.web")
bp = Blueprint("shopify_webhooks", __name__)

REDACT_AFTER_HOURS = 48
REDACT_AFTER_UNINSTALL = timedelta(hours=REDACT_AFTER_HOURS)


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@bp.post("/webhooks/shopify")
def receive():
    settings = current_app.config["SETTINGS"]
    body = request.get_data(cache=True)
    if not verify_webhook(body, signature_header(request.headers), settings.shopify_api_secret):
        return jsonify(error="invalid signature"), 401
    try:
        claimed = read_delivery_headers(request.headers)
    except BadDeliveryHeaders as exc:
        return jsonify(error=str(exc)), 400
    topic, domain, event_key = claimed.topic, claimed.shop_domain, claimed.event_key
    if not valid_shop_domain(domain):
        return jsonify(error="the shop domain header is not a *.myshopify.com domain"), 400
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return jsonify(error="body is not JSON"), 400
    try:
        shape = check_delivery(topic, domain, payload)
    except DeliveryMismatch as exc:
        return jsonify(error=str(exc)), exc.status

    seen = db.session.scalars(
        select(WebhookEvent.id).where(
            WebhookEvent.platform == "shopify", WebhookEvent.event_key == event_key
        )
    ).first()
    if seen is not None:
        return jsonify(status="duplicate"), 200

    shop = db.session.scalars(
        select(Shop).where(Shop.platform == "shopify", Shop.domain == domain)
    ).one_or_none()
    if topic == "shop/redact" and shop is not None and not _redactable(shop):
        return jsonify(error=f"{domain} has not been uninstalled for {REDACT_AFTER_HOURS} "
                       "hours: nothing was deleted"), 409  # fmt: skip
    shop_id = _apply_compliance(topic, shop, payload)
    event = WebhookEvent(
        shop_id=shop_id,
        platform="shopify",
        topic=topic,
        event_key=event_key[:255],
        resource_id=shape.resource_gid(payload)[:100],
        resource_updated_at=_parse_time(payload.get("updated_at")),
        payload=kept_payload(payload),  # no buyer data: ids and times only
    )
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same event arrived concurrently and won the insert
        return jsonify(status="duplicate"), 200
    _enqueue(event, topic)
    return jsonify(status="accepted"), 200


def _redactable(shop: Shop) -> bool:
    """Shopify sends shop/redact 48 hours after the app is uninstalled; an installed shop, or
    one uninstalled since, is never wiped on a delivery's word."""
    return (
        shop.status == "uninstalled"
        and shop.uninstalled_at is not None
        and utcnow() - shop.uninstalled_at >= REDACT_AFTER_UNINSTALL
    )


def _apply_compliance(topic: str, shop: Shop | None, payload: dict) -> int | None:
    """Do what the compliance and lifecycle topics promise; returns the shop id to record."""
    if shop is None:
        return None
    if topic == "app/uninstalled":
        from jobs.tenants import uninstall_shop

        uninstall_shop(shop.id)
    elif topic == "shop/redact":
        from jobs.tenants import redact_shop

        redact_shop(shop.id)
        return None  # the shop and everything of it is gone; the event stays as the receipt
    elif topic == "customers/redact":
        from jobs.buyer_data import forget_store_orders

        customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
        orders = payload.get("orders_to_redact")
        forget_store_orders(
            shop.id,
            orders if isinstance(orders, list) else [],
            also=[customer.get("email"), customer.get("phone")],
        )
    elif topic == "customers/data_request":
        customer = payload.get("customer") or {}
        db.session.add(
            Alert(
                shop_id=shop.id,
                kind="customer_data_request",
                severity="warning",
                message="A customer asked for their data: Crossport holds at most the shipping "
                "details of their Amazon orders, listed here.",
                details={
                    "customer_id": customer.get("id"),
                    "orders_requested": payload.get("orders_requested") or [],
                },
            )
        )
        db.session.commit()
    return shop.id


def _enqueue(event: WebhookEvent, topic: str) -> None:
    from jobs.webhooks import accept_on_receipt

    accept_on_receipt(event.id, f"Shopify {topic}", event.shop_id)
