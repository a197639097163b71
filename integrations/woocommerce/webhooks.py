"""Receiving WooCommerce webhooks: the creation ping, signature check, dedupe and recording.

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs

from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import WebhookEvent
from core.webhook_records import kept_payload
from integrations.woocommerce.connection import find_connection_by_source

STUCK_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Receipt:
    """What to answer and whether a new event was recorded (then the caller enqueues it)."""

    status: int
    message: str
    event_id: int | None = None
    shop_id: int | None = None
    duplicate: bool = False


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


def receive(headers, body: bytes) -> Receipt:
    """Verify and record one delivery; nothing is written unless the signature is valid."""
    if is_creation_ping(headers, body):
        return Receipt(200, "ping")
    connection = find_connection_by_source(headers.get("X-WC-Webhook-Source", ""))
    if connection is None or not connection.webhook_secret:
        return Receipt(401, "unknown store")
    if not signature_ok(body, connection.webhook_secret, headers.get("X-WC-Webhook-Signature", "")):
        return Receipt(401, "bad signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return Receipt(400, "body is not JSON")
    if not isinstance(payload, dict):
        return Receipt(400, "body is not a JSON object")
    topic = headers.get("X-WC-Webhook-Topic", "")
    resource_id = str(payload.get("id", ""))
    digest = hashlib.sha256(body).hexdigest()[:16]
    modified = payload.get("date_modified_gmt", "")
    key = f"{connection.shop_id}:{topic}:{resource_id}:{modified}:{digest}"
    event = WebhookEvent(
        shop_id=connection.shop_id,
        platform="woocommerce",
        topic=topic,
        event_key=key[:255],
        resource_id=resource_id,
        resource_updated_at=_modified(payload),
        payload=kept_payload(payload),  # no buyer data: ids and times only
    )
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalars(
            db.select(WebhookEvent).where(
                WebhookEvent.platform == "woocommerce", WebhookEvent.event_key == key[:255]
            )
        ).first()
        # Still unprocessed a minute later (e.g. the first enqueue failed): hand it back so the
        # caller enqueues it again. Not sooner: a concurrent twin is being enqueued right now.
        stuck = (
            existing is not None
            and existing.status == "received"
            and existing.received_at < utcnow() - STUCK_AFTER
        )
        pending = existing.id if stuck else None
        return Receipt(
            200, "duplicate", event_id=pending, shop_id=connection.shop_id, duplicate=True
        )
    return Receipt(200, "recorded", event_id=event.id, shop_id=connection.shop_id)
