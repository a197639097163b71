"""POST /webhooks/woocommerce: the one intake (web/webhook_intake.py) with WooCommerce's reader."""

from __future__ import annotations

from flask import Blueprint, request

from core.webhook_records import Refused
from integrations.woocommerce.webhooks import read_delivery
from web.webhook_intake import take

bp = Blueprint("woocommerce_webhooks", __name__)

# The answer's words as WooCommerce's delivery log has shown them (the body is not read by it).
ANSWERS = {"accepted": "recorded", "duplicate": "duplicate"}


@bp.post("/webhooks/woocommerce")
def woocommerce_webhook():
    try:
        delivery = read_delivery(request.headers, request.get_data(cache=False))
    except Refused as refused:
        return {"result": refused.message}, refused.status
    if delivery is None:
        return {"result": "ping"}, 200
    return {"result": ANSWERS[take(delivery)]}, 200
