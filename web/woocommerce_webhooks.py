"""POST /webhooks/woocommerce: verify, record, enqueue, answer in milliseconds."""

from __future__ import annotations

from flask import Blueprint, request

from integrations.woocommerce.webhooks import receive
from jobs.webhooks import accept_on_receipt

bp = Blueprint("woocommerce_webhooks", __name__)


@bp.post("/webhooks/woocommerce")
def woocommerce_webhook():
    receipt = receive(request.headers, request.get_data(cache=False))
    if receipt.event_id is not None:
        topic = request.headers.get("X-WC-Webhook-Topic", "webhook")
        accept_on_receipt(receipt.event_id, f"WooCommerce {topic}", receipt.shop_id)
    return {"result": receipt.message}, receipt.status
