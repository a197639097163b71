"""Routes for shopify_webhooks (owned by the integration engineer; placeholder until written)."""

from flask import Blueprint

bp = Blueprint("shopify_webhooks", __name__)
