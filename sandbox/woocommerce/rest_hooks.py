"""wc/v3 routes for settings options and webhooks CRUD, added to the REST blueprint."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from sandbox.woocommerce.catalog import RestError
from sandbox.woocommerce.listing import paged
from sandbox.woocommerce.state import StoreState
from sandbox.woocommerce.webhooks import (
    WebhookSender,
    create_webhook,
    public_webhook,
    update_webhook,
)

SETTINGS = {
    ("general", "woocommerce_currency"): "USD",
    ("products", "woocommerce_weight_unit"): "kg",
    ("products", "woocommerce_dimension_unit"): "cm",
}


def register_settings_and_webhooks(bp: Blueprint, state: StoreState, sender: WebhookSender) -> None:
    """Add /settings/<group>/<option> and /webhooks routes to the wc/v3 blueprint."""

    def body() -> dict:
        return request.get_json(silent=True) or request.form.to_dict() or {}

    @bp.get("/settings/<group>/<option>")
    def get_setting(group: str, option: str):
        if (group, option) not in SETTINGS:
            raise RestError("rest_setting_setting_invalid", "Invalid setting.", 404)
        return jsonify(
            {
                "id": option,
                "label": option,
                "type": "select",
                "value": SETTINGS[(group, option)],
                "group_id": group,
            }
        )

    # -- webhooks ------------------------------------------------------------------------
    @bp.get("/webhooks")
    def list_webhooks():
        with state.lock:
            items = list(state.webhooks.values())
            if request.args.get("status") and request.args["status"] != "all":
                items = [w for w in items if w.status == request.args["status"]]
            rendered = [public_webhook(state, w) for w in items]
        return paged(request, rendered, lambda w: w)

    @bp.post("/webhooks")
    def create_hook():
        hook = create_webhook(state, body())
        sender.ping(hook)
        return jsonify(public_webhook(state, hook)), 201

    @bp.get("/webhooks/<int:ident>")
    def get_hook(ident: int):
        with state.lock:
            hook = state.webhooks.get(ident)
            if hook is None:
                raise RestError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
            return jsonify(public_webhook(state, hook))

    @bp.route("/webhooks/<int:ident>", methods=["PUT", "POST", "PATCH"])
    def update_hook(ident: int):
        hook = update_webhook(state, ident, body())
        sender.saved(hook)
        return jsonify(public_webhook(state, hook))

    @bp.delete("/webhooks/<int:ident>")
    def delete_hook(ident: int):
        if request.args.get("force") not in ("true", "1"):
            raise RestError(
                "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501
            )
        with state.lock:
            hook = state.webhooks.pop(ident, None)
            if hook is None:
                raise RestError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
            return jsonify(public_webhook(state, hook))
