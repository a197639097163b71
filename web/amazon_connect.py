"""Routes for amazon_connect (owned by the integration engineer; placeholder until written)."""

from flask import Blueprint

bp = Blueprint("amazon_connect", __name__)
