"""Shopify webhook signatures: base64 HMAC-SHA256 of the raw body with the app secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

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
