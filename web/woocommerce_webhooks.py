"""Routes for woocommerce_webhooks (owned by the integration engineer; placeholder until written)."""

from flask import Blueprint

bp = Blueprint("woocommerce_webhooks", __name__)
