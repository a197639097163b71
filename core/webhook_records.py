"""What a webhook event keeps of the body it arrived with: only what its handlers read.

Store deliveries carry buyer data: a Shopify fulfilment names its destination (buyer name,
street, phone) and e-mail, a WooCommerce order its billing and shipping addresses, a
customers/redact the customer's e-mail and phone. The handlers re-read the store rather than
trusting a body (deliveries are at least once and unordered), so the body only has to say what
to look at: ids, the resource's kind and SKU, and when it changed. Everything else is dropped
before the event is written, so no copy of the buyer reaches the database, the backups, or a
record kept for retention or left unprocessed.

The one intake (web/webhook_intake.py) records a verified delivery here, once per event key.

A handler that needs another field of a body adds its name here (never a field holding a
person's name, address, phone or e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.models import WebhookEvent

# Fields of a delivery body worth keeping, by what they say; anything else is dropped.
KEPT_FIELDS = frozenset(
    {
        # which resource
        "id",
        "admin_graphql_api_id",
        "order_id",
        "product_id",
        "variant_id",
        "parent_id",
        "inventory_item_id",
        "location_id",
        "type",
        "sku",
        "status",
        # the catalogue state a product or stock delivery announces (what support and the
        # webhook tests read to tell deliveries apart; never a person's data in any topic)
        "title",
        "available",
        "stock_quantity",
        "stock_status",
        # when it changed (ordering of at-least-once deliveries)
        "updated_at",
        "created_at",
        "date_modified_gmt",
        "date_created_gmt",
        # compliance topics: which shop, which orders (the customer by id only, below)
        "shop_id",
        "shop_domain",
        "orders_to_redact",
        "orders_requested",
        "data_request",
    }
)
# Nested objects kept by their id alone (customers/redact and customers/data_request name the
# customer with e-mail and phone beside the id).
KEPT_BY_ID = frozenset({"customer", "data_request"})
_SCALAR = (str, int, float, bool, type(None))


def kept_payload(payload) -> dict:
    """The part of a delivery body an event keeps: KEPT_FIELDS with scalar values (or lists of
    scalars), and the ids of KEPT_BY_ID objects."""
    if not isinstance(payload, dict):
        return {}
    kept: dict = {}
    for name, value in payload.items():
        if name in KEPT_BY_ID and isinstance(value, dict):
            if isinstance(value.get("id"), _SCALAR):
                kept[name] = {"id": value.get("id")}  # an object without an id: {"id": None}
        elif name not in KEPT_FIELDS:
            continue
        elif isinstance(value, _SCALAR):
            kept[name] = value
        elif isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value):
            kept[name] = value
    return kept


@dataclass(frozen=True)
class Delivery:
    """A verified delivery as each platform's reader (integrations/<platform>) hands it to the
    one intake (web/webhook_intake.py): whose, about what, and the key that deduplicates it."""

    platform: str
    topic: str
    event_key: str
    resource_id: str
    resource_updated_at: datetime | None
    payload: dict
    shop_id: int | None = None
    shop_domain: str = ""  # Shopify names the shop by domain; WooCommerce by its connection


class Refused(Exception):
    """A delivery that is not accepted: the status to answer and what was wrong."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def recorded(delivery: Delivery) -> WebhookEvent | None:
    """The event already recorded for this delivery, if any."""
    return db.session.scalars(
        select(WebhookEvent).where(
            WebhookEvent.platform == delivery.platform,
            WebhookEvent.event_key == delivery.event_key[:255],
        )
    ).first()


def record(delivery: Delivery, shop_id: int | None) -> WebhookEvent | None:
    """Write the event, keeping only kept_payload of its body; None when a concurrent twin of
    the same delivery won the insert (the unique platform + event key)."""
    event = WebhookEvent(
        shop_id=shop_id,
        platform=delivery.platform,
        topic=delivery.topic,
        event_key=delivery.event_key[:255],
        resource_id=delivery.resource_id[:100],
        resource_updated_at=delivery.resource_updated_at,
        payload=kept_payload(delivery.payload),  # no buyer data: ids and times only
    )
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return event
