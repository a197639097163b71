"""The one shape of webhook intake, for every platform: verify, record, enqueue, answer.

Each platform's reader (integrations/shopify/webhook_delivery.py,
integrations/woocommerce/webhooks.py) checks its own signature and headers and hands over a
Delivery; from there both go the same way: an event already recorded answers "duplicate" (and
is queued again if it never was), a new one is recorded without buyer data
(core/webhook_records), queued, and answered. What a topic means is the job's work
(jobs/webhooks.py), never the request's: the request reads no store and scans nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from core.db import utcnow
from core.webhook_records import Delivery, record, recorded
from jobs.webhooks import accept_on_receipt

# A recorded event still unprocessed this long after it arrived lost its enqueue (Redis away):
# a redelivery queues it again. Not sooner: a concurrent twin is being queued right now.
STUCK_AFTER = timedelta(minutes=1)
PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce"}  # job titles


def take(delivery: Delivery, settle: Callable[[], int | None] | None = None) -> str:
    """Record and queue a verified delivery once; returns "accepted" or "duplicate".

    `settle` is what a platform promises to do before answering (Shopify's compliance and
    lifecycle topics, web/shopify_webhooks.py); it runs before the record, so a failure is
    answered 500 and the platform's retry finds nothing recorded. It returns the shop id to
    record (None when the shop is gone)."""
    title = f"{PLATFORM_NAMES.get(delivery.platform, delivery.platform)} {delivery.topic}"
    existing = recorded(delivery)
    if existing is not None:
        if existing.status == "received" and existing.received_at < utcnow() - STUCK_AFTER:
            accept_on_receipt(existing.id, title, existing.shop_id)
        return "duplicate"
    shop_id = settle() if settle is not None else delivery.shop_id
    event = record(delivery, shop_id)
    if event is None:
        return "duplicate"  # the same delivery arrived concurrently and won the insert
    accept_on_receipt(event.id, title, event.shop_id)
    return "accepted"
