"""Shopify webhook signatures (base64 HMAC-SHA256 of the raw body with the app secret) and the
headers a delivery must carry."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

# Topics Crossport subscribes to at install (the compliance topics are set in the app's
# configuration on Shopify, not by API).
SUBSCRIBED_TOPICS = (
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "INVENTORY_LEVELS_UPDATE",
    "FULFILLMENTS_CREATE",
    "FULFILLMENTS_UPDATE",
    "ORDERS_CANCELLED",
    "APP_UNINSTALLED",
)
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_webhook(body: bytes, header_value: str | None, secret: str) -> bool:
    """Constant-time check of X-Shopify-Hmac-Sha256 over the exact bytes received."""
    if not header_value or not secret:
        return False
    return hmac.compare_digest(signature(body, secret).encode(), header_value.strip().encode())


# The two header families Shopify's own library (@shopify/shopify-api, lib/webhooks/
# header-names.ts and validate.ts) reads: classic webhooks send X-Shopify-*; events webhooks
# send the unprefixed shopify-* names (and, for now, the X-Shopify-* ones too). Like that
# library, the family is chosen by which signature header is present, and every other field is
# read from the same family, so the headers that are acted on are the ones that came with the
# signature that was checked.
LEGACY_HEADERS = {
    "hmac": "X-Shopify-Hmac-Sha256",
    "topic": "X-Shopify-Topic",
    "domain": "X-Shopify-Shop-Domain",
    "api_version": "X-Shopify-API-Version",
    "webhook_id": "X-Shopify-Webhook-Id",
    "event_id": "X-Shopify-Event-Id",
}
EVENTS_HEADERS = {field: name.removeprefix("X-").lower() for field, name in LEGACY_HEADERS.items()}


class BadDeliveryHeaders(Exception):
    """A header is missing or two families disagree: a 400 naming them."""


@dataclass(frozen=True)
class DeliveryHeaders:
    hmac: str
    topic: str
    shop_domain: str  # lower case
    api_version: str
    event_key: str  # the event id when sent (one per event), else the webhook id


def signature_header(headers: Mapping[str, str]) -> str | None:
    """The signature to check: shopify-hmac-sha256 when present (events), else X-Shopify-…."""
    return headers.get(EVENTS_HEADERS["hmac"]) or headers.get(LEGACY_HEADERS["hmac"])


def read_delivery_headers(headers: Mapping[str, str]) -> DeliveryHeaders:
    """The delivery's topic, shop, API version and id; refuses a delivery missing any of them,
    as Shopify's library does (it also requires the API version and a webhook id)."""
    events = bool(headers.get(EVENTS_HEADERS["hmac"]))
    names = EVENTS_HEADERS if events else LEGACY_HEADERS
    value = {field: (headers.get(name) or "").strip() for field, name in names.items()}
    missing = [names[f] for f in ("topic", "domain", "api_version") if not value[f]]
    if not (value["webhook_id"] or value["event_id"]):
        missing.append(f"{names['webhook_id']} or {names['event_id']}")
    if missing:
        raise BadDeliveryHeaders("missing webhook headers: " + ", ".join(missing))
    if events:  # the legacy copies, when sent as well, must say the same
        for field in ("topic", "domain"):
            other = (headers.get(LEGACY_HEADERS[field]) or "").strip()
            if other and other.lower() != value[field].lower():
                raise BadDeliveryHeaders(
                    f"{LEGACY_HEADERS[field]} and {EVENTS_HEADERS[field]} disagree"
                )
    return DeliveryHeaders(
        hmac=value["hmac"],
        topic=value["topic"],
        shop_domain=value["domain"].lower(),
        api_version=value["api_version"],
        event_key=value["event_id"] or value["webhook_id"],
    )
