"""POST /webhooks/woocommerce: verify, record, enqueue, answer in milliseconds."""

from __future__ import annotations

from flask import Blueprint, request

from integrations.woocommerce.webhooks import receive
from jobs.queues import enqueue

bp = Blueprint("woocommerce_webhooks", __name__)


@bp.post("/webhooks/woocommerce")
def woocommerce_webhook():
    receipt = receive(request.headers, request.get_data(cache=False))
    if receipt.event_id is not None:
        enqueue(
            "jobs.webhooks.process_event",
            receipt.event_id,
            queue="webhooks",
            job_id=f"webhook-event-{receipt.event_id}",
            title=f"WooCommerce {request.headers.get('X-WC-Webhook-Topic', 'webhook')}",
            shop_id=receipt.shop_id,
        )
    return {"result": receipt.message}, receipt.status
