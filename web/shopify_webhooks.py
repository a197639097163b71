"""POST /webhooks/shopify: the one intake (web/webhook_intake.py) with Shopify's reader.

The compliance topics and app/uninstalled are settled here, before the event is recorded: they
are quick database writes, Shopify expects them honoured whether or not a worker runs, and an
uninstalled shop must stop being synced (and become redactable 48 hours on) from the moment
Shopify says so, not when a worker reaches the event. Their event job has nothing left to do.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from core.db import db, utcnow
from core.models import Alert, Shop
from core.webhook_records import Delivery, Refused
from integrations.shopify.webhook_delivery import read_delivery
from web.webhook_intake import take

bp = Blueprint("shopify_webhooks", __name__)

REDACT_AFTER_HOURS = 48
REDACT_AFTER_UNINSTALL = timedelta(hours=REDACT_AFTER_HOURS)


@bp.post("/webhooks/shopify")
def receive():
    secret = current_app.config["SETTINGS"].shopify_api_secret
    try:
        delivery = read_delivery(request.headers, request.get_data(cache=True), secret)
        status = take(delivery, settle=lambda: _settle(delivery))
    except Refused as refused:
        return jsonify(error=refused.message), refused.status
    return jsonify(status=status), 200


def _settle(delivery: Delivery) -> int | None:
    """The shop id to record, once what the topic promises is done."""
    shop = db.session.scalars(
        select(Shop).where(Shop.platform == "shopify", Shop.domain == delivery.shop_domain)
    ).one_or_none()
    if delivery.topic == "shop/redact" and shop is not None and not _redactable(shop):
        raise Refused(409, f"{delivery.shop_domain} has not been uninstalled for "
                      f"{REDACT_AFTER_HOURS} hours: nothing was deleted")  # fmt: skip
    return _apply_compliance(delivery.topic, shop, delivery.payload)


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

        if shop.status != "uninstalled":  # a second delivery keeps the first one's time
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
