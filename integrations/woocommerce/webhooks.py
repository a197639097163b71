"""Reading WooCommerce webhooks: the creation ping, the signature check, the dedupe key.

Deduplication key: topic + resource id + `date_modified_gmt` + a hash of the raw body. The
delivery id is not unique (WooCommerce derives it from the webhook id and the current second)
and a resource can change twice within one second (e.g. a stock change), so the body hash keeps
two different states apart while byte-identical re-deliveries collapse into one event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import parse_qs

from core.webhook_records import Delivery, Refused
from integrations.woocommerce.connection import find_connection_by_source


def is_creation_ping(headers, body: bytes) -> bool:
    """The unsigned `webhook_id=N` form POST WooCommerce sends when a webhook is created."""
    if headers.get("X-WC-Webhook-Signature") or len(body) > 64:
        return False
    fields = parse_qs(body.decode("latin-1"), keep_blank_values=True)
    return list(fields) == ["webhook_id"] and fields["webhook_id"][0].isdigit()


def signature_ok(body: bytes, secret: str, given: str) -> bool:
    """Base64 HMAC-SHA256 of the raw body with the webhook secret, compared in constant time."""
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return bool(given) and hmac.compare_digest(expected, given.strip().encode())


def _modified(payload: dict) -> datetime | None:
    raw = payload.get("date_modified_gmt")
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "")) if raw else None
    except ValueError:
        return None


def read_delivery(headers, body: bytes) -> Delivery | None:
    """The verified delivery, None for the creation ping; raises Refused (401 unknown store or
    bad signature, 400 a body that is not a JSON object). Nothing is written here: the intake
    (web/webhook_intake.py) records it."""
    if is_creation_ping(headers, body):
        return None
    connection = find_connection_by_source(headers.get("X-WC-Webhook-Source", ""))
    if connection is None or not connection.webhook_secret:
        raise Refused(401, "unknown store")
    if not signature_ok(body, connection.webhook_secret, headers.get("X-WC-Webhook-Signature", "")):
        raise Refused(401, "bad signature")
    try:
        payload = json.loads(body)
    except ValueError:
        raise Refused(400, "body is not JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "body is not a JSON object")
    topic = headers.get("X-WC-Webhook-Topic", "")
    resource_id = str(payload.get("id", ""))
    digest = hashlib.sha256(body).hexdigest()[:16]
    modified = payload.get("date_modified_gmt", "")
    return Delivery(
        platform="woocommerce",
        topic=topic,
        event_key=f"{connection.shop_id}:{topic}:{resource_id}:{modified}:{digest}",
        resource_id=resource_id,
        resource_updated_at=_modified(payload),
        payload=payload,
        shop_id=connection.shop_id,
    )
