"""The wc/v3 REST routes the emulator serves: products, variations, orders, notes, webhooks."""

from __future__ import annotations

import time

from flask import Blueprint, g, jsonify, request

from sandbox.woocommerce import catalog, orders
from sandbox.woocommerce.auth import AuthError, authenticate
from sandbox.woocommerce.catalog import RestError, public
from sandbox.woocommerce.listing import filter_items, paged
from sandbox.woocommerce.rest_hooks import register_settings_and_webhooks
from sandbox.woocommerce.state import StoreState
from sandbox.woocommerce.webhooks import WebhookSender


def _order_haystack(order: dict) -> str:
    # What WooCommerce's order search looks at: id, addresses, email, phone and item names.
    # Order meta is NOT searched by core, which is why Crossport never relies on it.
    parts = [str(order["id"])] + list(order["billing"].values()) + list(order["shipping"].values())
    parts += [i["name"] for i in order["line_items"]]
    return " ".join(str(p) for p in parts).lower()


def build_rest(state: StoreState, sender: WebhookSender) -> Blueprint:
    """The /wp-json/wc/v3 blueprint bound to one store's state."""
    bp = Blueprint("wc_v3", __name__, url_prefix="/wp-json/wc/v3")

    @bp.before_request
    def _auth():
        g.started = time.monotonic()
        g.auth_kind = (
            "oauth1"
            if "oauth_signature" in request.full_path
            or request.headers.get("Authorization", "").lower().startswith("oauth")
            else (
                "basic"
                if request.authorization
                else "query"
                if "consumer_key" in request.args
                else "none"
            )
        )
        g.key = authenticate(state, request)
        return _injected_fault()

    def _injected_fault():
        with state.lock:
            faults = state.api_faults
            delay = 0.0
            if faults.delay_next > 0:
                faults.delay_next -= 1
                delay = faults.delay_seconds
            failing = faults.fail_next > 0
            if failing:
                faults.fail_next -= 1
        if delay:
            time.sleep(delay)
        if failing:
            status = faults.fail_status
            return jsonify(
                {
                    "code": "internal_server_error",
                    "message": "Injected failure.",
                    "data": {"status": status},
                }
            ), status
        return None

    @bp.errorhandler(AuthError)
    @bp.errorhandler(RestError)
    def _error(exc):
        return jsonify(
            {"code": exc.code, "message": exc.message, "data": {"status": exc.status}}
        ), exc.status

    @bp.after_request
    def _log(response):
        state.record_call(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode(),
                "auth": g.get("auth_kind"),
                "status": response.status_code,
                "key_id": g.key.key_id if g.get("key") else None,
            }
        )
        return response

    def body() -> dict:
        return request.get_json(silent=True) or request.form.to_dict() or {}

    # -- products ------------------------------------------------------------------------
    @bp.get("/products")
    def list_products():
        with state.lock:
            items = filter_items(list(state.products.values()), request.args)
            if request.args.get("sku"):
                # With `sku`, WooCommerce also queries product_variation posts and lists the
                # variation itself (captures/products/list-by-variation-sku.json).
                wanted = set(request.args["sku"].split(","))
                items += [
                    catalog.variation_as_product(state, v)
                    for v in state.variations.values()
                    if v["sku"] in wanted and v["status"] != "trash"
                ]
            if request.args.get("type"):
                items = [p for p in items if p["type"] == request.args["type"]]
            if request.args.get("search"):
                needle = request.args["search"].lower()
                items = [p for p in items if needle in (p["name"] + p["description"]).lower()]
            return paged(
                request, items, lambda p: p if "_links" in p else public(state, p, "product")
            )

    @bp.post("/products")
    def create_product():
        with state.lock:
            product = catalog.create_product(state, body())
            state.emit("product.created", product["id"])
            return jsonify(public(state, product, "product")), 201

    @bp.get("/products/<int:ident>")
    def get_product(ident: int):
        with state.lock:
            # A variation id answers too, as the variation in the product schema
            # (captures/products/get-products-endpoint-with-variation-id-*.json).
            product = catalog.product_view(state, ident)
            if product is None:
                raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
            return jsonify(product)

    @bp.route("/products/<int:ident>", methods=["PUT", "POST", "PATCH"])
    def update_product(ident: int):
        with state.lock:
            product = catalog.update_product(state, ident, body())
            state.emit("product.updated", ident)
            return jsonify(public(state, product, "product"))

    @bp.delete("/products/<int:ident>")
    def delete_product(ident: int):
        with state.lock:
            # product.deleted hooks wp_trash_post only: a permanent delete (force=true) sends
            # no webhook at all (captures/webhooks/scenario-product-deleted-permanently.json),
            # the trash sends {"id": N} (scenario-product-trashed.json).
            if request.args.get("force") in ("true", "1"):
                product = catalog.delete_product(state, ident)
            else:
                product = catalog.update_product(state, ident, {"status": "trash"})
                state.emit("product.deleted", ident)
            return jsonify(public(state, product, "product"))

    @bp.get("/products/<int:parent>/variations")
    def list_variations(parent: int):
        with state.lock:
            if parent not in state.products:
                raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
            items = [state.variations[v] for v in state.products[parent]["variations"]]
            items = filter_items(items, request.args)
            return paged(request, items, lambda v: public(state, v, "variation"))

    @bp.post("/products/<int:parent>/variations")
    def create_variation(parent: int):
        with state.lock:
            variation = catalog.create_variation(state, parent, body())
            # Each new variation sends its own product.created, and the parent no
            # product.updated (captures/webhooks/scenario-products-created-bulk.json).
            state.emit("product.created", variation["id"])
            return jsonify(public(state, variation, "variation")), 201

    @bp.get("/products/<int:parent>/variations/<int:ident>")
    def get_variation(parent: int, ident: int):
        with state.lock:
            variation = state.variations.get(ident)
            if variation is None or variation["_parent"] != parent:
                raise RestError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
            return jsonify(public(state, variation, "variation"))

    @bp.route("/products/<int:parent>/variations/<int:ident>", methods=["PUT", "POST", "PATCH"])
    def update_variation(parent: int, ident: int):
        with state.lock:
            variation = catalog.update_variation(state, parent, ident, body())
            # product.updated carries the variation itself, and nothing is sent for the parent
            # (captures/webhooks/scenario-variation-stock-rest.json).
            state.emit("product.updated", ident)
            return jsonify(public(state, variation, "variation"))

    @bp.delete("/products/<int:parent>/variations/<int:ident>")
    def delete_variation(parent: int, ident: int):
        with state.lock:
            # Without force the variation goes to the trash and product.deleted {"id": v} is
            # sent; with force it is removed and nothing is sent
            # (captures/webhooks/scenario-variation-deleted.json).
            if request.args.get("force") in ("true", "1"):
                variation = catalog.delete_variation(state, parent, ident)
            else:
                variation = catalog.update_variation(state, parent, ident, {"status": "trash"})
                state.emit("product.deleted", ident)
            return jsonify(public(state, variation, "variation"))

    # -- orders --------------------------------------------------------------------------
    @bp.get("/orders")
    def list_orders():
        with state.lock:
            items = filter_items(list(state.orders.values()), request.args)
            if request.args.get("search"):
                needle = request.args["search"].lower()
                items = [o for o in items if needle in _order_haystack(o)]
            return paged(request, items, lambda o: public(state, o, "order"))

    @bp.post("/orders")
    def create_order():
        with state.lock:
            order = orders.create_order(state, body())
            # A REST-created order sends order.created and order.updated
            # (captures/webhooks/scenario-order-created-us.json).
            state.emit("order.created", order["id"])
            state.emit("order.updated", order["id"])
            return jsonify(public(state, order, "order")), 201

    @bp.get("/orders/<int:ident>")
    def get_order(ident: int):
        with state.lock:
            order = state.orders.get(ident)
            if order is None:
                raise RestError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
            return jsonify(public(state, order, "order"))

    @bp.route("/orders/<int:ident>", methods=["PUT", "POST", "PATCH"])
    def update_order(ident: int):
        with state.lock:
            order = orders.update_order(state, ident, body())
            state.emit("order.updated", ident)
            return jsonify(public(state, order, "order"))

    @bp.delete("/orders/<int:ident>")
    def delete_order(ident: int):
        with state.lock:
            order = state.orders.get(ident)
            if order is None:
                raise RestError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
            # The answer is the order as it was before the delete; order.deleted {"id": N} is
            # sent for the trash only, a permanent delete sends nothing
            # (captures/orders/delete-*.json, webhooks/scenario-order-trashed.json and
            # scenario-order-deleted-permanently.json).
            answer = public(state, order, "order")
            if request.args.get("force") in ("true", "1"):
                del state.orders[ident]
            else:
                order["status"] = "trash"
                state.emit("order.deleted", ident)
            return jsonify(answer)

    @bp.get("/orders/<int:ident>/notes")
    def list_notes(ident: int):
        with state.lock:
            if ident not in state.orders:
                raise RestError("woocommerce_rest_order_invalid_id", "Invalid order ID.", 404)
            notes = sorted(state.notes[ident], key=lambda n: n["id"], reverse=True)
            return jsonify([orders.public_note(state, ident, n) for n in notes])

    @bp.post("/orders/<int:ident>/notes")
    def add_note(ident: int):
        with state.lock:
            note = orders.add_note(state, ident, body())
            return jsonify(orders.public_note(state, ident, note)), 201

    register_settings_and_webhooks(bp, state, sender)

    return bp
