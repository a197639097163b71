"""Reading one Shopify webhook delivery: the signature over the raw body, the headers, and a
body that fits its topic; what is left is a Delivery for the intake (web/webhook_intake.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from core.webhook_records import Delivery, Refused
from integrations.shopify.oauth import valid_shop_domain
from integrations.shopify.webhook_topics import DeliveryMismatch, check_delivery
from integrations.shopify.webhooks import (
    BadDeliveryHeaders,
    read_delivery_headers,
    signature_header,
    verify_webhook,
)


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


def read_delivery(headers: Mapping[str, str], body: bytes, secret: str) -> Delivery:
    """The verified delivery; raises Refused (401 bad signature or a body naming another shop,
    400 bad headers or body) before anything is read from the database."""
    if not verify_webhook(body, signature_header(headers), secret):
        raise Refused(401, "invalid signature")
    try:
        claimed = read_delivery_headers(headers)
    except BadDeliveryHeaders as exc:
        raise Refused(400, str(exc)) from None
    if not valid_shop_domain(claimed.shop_domain):
        raise Refused(400, "the shop domain header is not a *.myshopify.com domain")
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    try:
        shape = check_delivery(claimed.topic, claimed.shop_domain, payload)
    except DeliveryMismatch as exc:
        raise Refused(exc.status, str(exc)) from None
    return Delivery(
        platform="shopify",
        topic=claimed.topic,
        event_key=claimed.event_key,
        resource_id=shape.resource_gid(payload),  # the form products are stored under
        resource_updated_at=_parse_time(payload.get("updated_at")),
        payload=payload,
        shop_domain=claimed.shop_domain,
    )
