"""Routes for shopify_install (owned by the integration engineer; placeholder until written)."""

from flask import Blueprint

bp = Blueprint("shopify_install", __name__)
