"""The REST route the Crossport plugin adds to the store: POST wc/v3/crossport/token-key.

Mirrors wordpress-plugin/crossport/includes/connection.php: registered under WooCommerce's wc/v3
namespace, so WooCommerce's REST authentication (sandbox/woocommerce/auth.py) applies; the key
must be 43 to 128 base64url characters; it is kept as the option `crossport_token_key` and the
answer never carries it. A key without write permission is refused as WooCommerce refuses any
POST with it.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from sandbox.woocommerce.auth import AuthError, authenticate
from sandbox.woocommerce.state import StoreState

KEY_OPTION = "crossport_token_key"
KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{43,128}")


def build_plugin_rest(state: StoreState) -> Blueprint:
    bp = Blueprint("crossport_plugin_rest", __name__, url_prefix="/wp-json/wc/v3/crossport")

    @bp.errorhandler(AuthError)
    def _refused(exc: AuthError):
        return jsonify(
            {"code": exc.code, "message": exc.message, "data": {"status": exc.status}}
        ), exc.status

    @bp.post("/token-key")
    def save_token_key():
        authenticate(state, request)  # the REST key of a store manager (Crossport's, here)
        body = request.get_json(silent=True) or request.form.to_dict() or {}
        key = body.get("key")
        if not isinstance(key, str) or not KEY_SHAPE.fullmatch(key):
            message = "The token key must be 43 to 128 base64url characters."
            return jsonify(
                {"code": "crossport_invalid_token_key", "message": message, "data": {"status": 400}}
            ), 400
        with state.lock:
            state.plugin_options[KEY_OPTION] = key
        return jsonify({"saved": True})

    return bp
