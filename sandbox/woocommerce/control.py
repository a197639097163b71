"""Control endpoints under /_sandbox/ for tests and the demo: seed, edits, faults, inspection."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict
from datetime import timedelta

from flask import Blueprint, jsonify, request

from sandbox.woocommerce import catalog, orders
from sandbox.woocommerce.catalog import RestError, public
from sandbox.woocommerce.seed import seed_demo
from sandbox.woocommerce.state import ApiFaults, Faults, StoreState
from sandbox.woocommerce.webhooks import WebhookSender


def build_control(state: StoreState, sender: WebhookSender, config: dict) -> Blueprint:
    """The /_sandbox blueprint bound to one store's state; `config` holds mutable options."""
    bp = Blueprint("wc_sandbox", __name__, url_prefix="/_sandbox")

    @bp.errorhandler(RestError)
    def _error(exc):
        return jsonify({"code": exc.code, "message": exc.message}), exc.status

    def body() -> dict:
        return request.get_json(silent=True) or {}

    @bp.post("/reset")
    def reset():
        sender.timing.reset()
        sender.wait_idle(5)
        state.reset()
        return jsonify({"ok": True})

    @bp.post("/traffic")
    def traffic():
        """A front-page view at a moment the queue runner is due: WP-Cron runs the held
        deliveries (captures/webhooks/scenario-product-updated-simple.json)."""
        return jsonify({"released": sender.run_queue("/", forced=True)})

    @bp.post("/seed")
    def seed():
        return jsonify(seed_demo(state, count=(request.get_json(silent=True) or {}).get("count")))

    @bp.post("/config")
    def set_config():
        data = body()
        with state.lock:
            if "auto_approve" in data:
                state.auto_approve = bool(data["auto_approve"])
            if "clock_offset_seconds" in data:
                state.clock_offset = timedelta(seconds=float(data["clock_offset_seconds"]))
            if "crossport_url" in data:
                config["crossport_url"] = data["crossport_url"].rstrip("/")
            if "taxes" in data:  # {"enabled", "prices_include_tax", "rates": [...] | "capture"}
                state.tax.configure(data["taxes"])
        try:  # webhook_delivery, plugin_sync_delivery, runner_interval_seconds
            sender.timing.configure(data)
        except (TypeError, ValueError) as exc:
            return jsonify({"code": "sandbox_invalid_config", "message": str(exc)}), 400
        return jsonify(
            {
                "auto_approve": state.auto_approve,
                "taxes": state.tax.view(),
                **sender.timing.view(),
                **config,
            }
        )

    @bp.get("/emails")
    def emails():
        """The e-mails the store would have sent (orders.py records them)."""
        with state.lock:
            return jsonify(list(state.emails))

    @bp.post("/keys")
    def create_key():
        key = state.create_key(body().get("permissions", "read_write"), "sandbox")
        return jsonify(
            {
                "key_id": key.key_id,
                "consumer_key": key.consumer_key,
                "consumer_secret": key.consumer_secret,
                "key_permissions": key.permissions,
            }
        ), 201

    @bp.get("/keys")
    def list_keys():
        with state.lock:
            return jsonify(
                [
                    {
                        "key_id": k.key_id,
                        "consumer_key": k.consumer_key,
                        "key_permissions": k.permissions,
                        "description": k.description,
                    }
                    for k in state.keys.values()
                ]
            )

    @bp.post("/products")
    def admin_create_product():
        with state.lock:
            product = catalog.create_product(state, body())
            state.emit("product.created", product["id"])
            return jsonify(public(state, product, "product")), 201

    @bp.post("/products/<int:ident>/stock")
    @bp.post("/products/<int:ident>/price")
    def admin_edit(ident: int):
        """Edit a product or variation as the shop manager would in wp-admin. A variation's save
        fires product.updated with the variation itself (woocommerce_update_product_variation is
        one of the topic's hooks: captures/webhooks/failing-get-after-7-failures.json; the
        delivery: scenario-variation-stock-rest.json), nothing for the parent."""
        data = {
            k: v
            for k, v in body().items()
            if k in ("stock_quantity", "regular_price", "sale_price", "manage_stock")
        }
        if "stock_quantity" in data:
            data.setdefault("manage_stock", True)
        with state.lock:
            if ident in state.variations:
                parent = state.variations[ident]["_parent"]
                item = catalog.update_variation(state, parent, ident, data)
                state.emit("product.updated", ident)
                return jsonify(public(state, item, "variation"))
            item = catalog.update_product(state, ident, data)
            state.emit("product.updated", ident)
            return jsonify(public(state, item, "product"))

    @bp.post("/products/<int:ident>/stock-burst")
    def admin_stock_burst(ident: int):
        """Many stock saves in a row (a busy POS or an import), each firing its own webhook."""
        quantities = [int(q) for q in body().get("quantities", [])]
        for quantity in quantities:
            with state.lock:
                data = {"stock_quantity": quantity, "manage_stock": True}
                if ident in state.variations:
                    parent = state.variations[ident]["_parent"]
                    catalog.update_variation(state, parent, ident, data)
                    state.emit("product.updated", ident)
                else:
                    catalog.update_product(state, ident, data)
                    state.emit("product.updated", ident)
        return jsonify({"saved": len(quantities)})

    @bp.post("/orders/<int:ident>/tracking")
    def add_tracking(ident: int):
        """Add a shipment as the WooCommerce Shipment Tracking plugin stores it."""
        data = body()
        with state.lock:
            order = state.orders.get(ident)
            if order is None:
                raise RestError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
            current = (
                next(
                    (
                        m["value"]
                        for m in order["meta_data"]
                        if m["key"] == "_wc_shipment_tracking_items"
                    ),
                    None,
                )
                or []
            )
            number = str(data.get("tracking_number", ""))
            current = list(current) + [
                {
                    "tracking_provider": data.get("tracking_provider", "usps"),
                    "custom_tracking_provider": data.get("custom_tracking_provider", ""),
                    "custom_tracking_link": data.get("custom_tracking_link", ""),
                    "tracking_number": number,
                    "date_shipped": str(int(data.get("date_shipped", time.time()))),
                    "tracking_id": hashlib.md5(f"{ident}{number}".encode()).hexdigest(),
                }
            ]
            changes: dict = {
                "meta_data": [{"key": "_wc_shipment_tracking_items", "value": current}]
            }
            if data.get("complete", True):
                changes["status"] = "completed"
            order = orders.update_order(state, ident, changes)
            state.emit("order.updated", ident)
            return jsonify(public(state, order, "order"))

    @bp.post("/orders/<int:ident>/status")
    def set_status(ident: int):
        with state.lock:
            order = orders.update_order(state, ident, {"status": body().get("status", "")})
            state.emit("order.updated", ident)
            return jsonify(public(state, order, "order"))

    @bp.post("/webhooks/faults")
    def set_faults():
        data = body()
        with state.lock:
            state.faults = Faults(
                drop_next=int(data.get("drop", 0)),
                delay_next=int(data.get("delay", 0)),
                delay_seconds=float(data.get("delay_seconds", 0)),
                duplicate_next=int(data.get("duplicate", 0)),
                fail_next=int(data.get("fail", 0)),
                fail_status=data.get("fail_status"),
            )
            return jsonify(asdict(state.faults))

    @bp.post("/api/faults")
    def set_api_faults():
        data = body()
        with state.lock:
            state.api_faults = ApiFaults(
                fail_next=int(data.get("fail", 0)),
                fail_status=int(data.get("status", 503)),
                delay_next=int(data.get("delay", 0)),
                delay_seconds=float(data.get("delay_seconds", 0)),
            )
            return jsonify(asdict(state.api_faults))

    @bp.post("/webhooks/wait")
    def wait():
        return jsonify({"idle": sender.wait_idle(float(body().get("timeout", 10)))})

    @bp.get("/webhooks")
    def list_webhooks():
        with state.lock:
            return jsonify(
                [
                    {**asdict(h), "created": str(h.created), "modified": str(h.modified)}
                    for h in state.webhooks.values()
                ]
            )

    @bp.get("/calls")
    def calls():
        with state.lock:
            return jsonify(list(state.calls))

    @bp.get("/deliveries")
    def deliveries():
        with state.lock:
            return jsonify(list(state.deliveries))

    @bp.get("/orders")
    def all_orders():
        with state.lock:
            return jsonify([public(state, o, "order") for o in state.orders.values()])

    return bp
