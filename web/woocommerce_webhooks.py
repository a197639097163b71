"""POST /webhooks/woocommerce: verify, record, enqueue, answer in milliseconds."""

from __future__ import annotations

import logging

from flask import Blueprint, request

from integrations.woocommerce.webhooks import receive
from jobs.queues import enqueue
from jobs.webhooks import request_stock_on_receipt

log = logging.getLogger("crossport.web")

bp = Blueprint("woocommerce_webhooks", __name__)


@bp.post("/webhooks/woocommerce")
def woocommerce_webhook():
    receipt = receive(request.headers, request.get_data(cache=False))
    if receipt.event_id is not None:
        try:
            request_stock_on_receipt(receipt.event_id)
        except Exception:  # the event job requests it instead, a little later
            log.exception("stock request on receipt failed", extra={"event_id": receipt.event_id})
        enqueue(
            "jobs.webhooks.process_event",
            receipt.event_id,
            queue="webhooks",
            job_id=f"webhook-event-{receipt.event_id}",
            title=f"WooCommerce {request.headers.get('X-WC-Webhook-Topic', 'webhook')}",
            shop_id=receipt.shop_id,
        )
    return {"result": receipt.message}, receipt.status
