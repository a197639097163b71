"""Routes for woocommerce_connect (owned by the integration engineer; placeholder until written)."""

from flask import Blueprint

bp = Blueprint("woocommerce_connect", __name__)
