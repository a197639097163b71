"""Control endpoints for tests and the demo (/_sandbox/...): seed, change data, fulfil, inject
faults, read what the emulator received."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, jsonify, request

from sandbox.shopify import payloads
from sandbox.shopify.oauth import session_token
from sandbox.shopify.seed import demo_products, generated_products, seed_shop
from sandbox.shopify.state import gid
from sandbox.shopify.webhooks import Delivery


def build_control(state, changes, sender, bulk_runner, config: dict, faults: dict) -> Blueprint:
    bp = Blueprint("shopify_control", __name__, url_prefix="/_sandbox")

    def shop_or_404(domain: str):
        shop = state.shop(domain, create=False)
        if shop is None:
            abort(404, f"unknown shop {domain}")
        return shop

    @bp.post("/shops/<domain>")
    def create_shop(domain: str):
        """Body: {"seed": "demo" | "none", "demo_count": N, "products": N, "installed": bool}."""
        body = request.get_json(silent=True) or {}
        shop = state.shop(domain)
        specs = []
        if body.get("seed") == "demo":
            specs += demo_products(int(body.get("demo_count", 36)))
        if body.get("products"):
            specs += generated_products(int(body["products"]), body.get("prefix", "GEN"))
        created = seed_shop(changes, shop, specs)
        return jsonify(
            shop=domain,
            products=len(shop.products),
            added=len(created),
            locations=[gid("Location", i) for i in shop.locations],
        )

    @bp.get("/shops/<domain>")
    def read_shop(domain: str):
        shop = shop_or_404(domain)
        return jsonify(
            shop=domain,
            installed=shop.installed,
            scopes=shop.scopes,
            products={
                str(p["id"]): {
                    "title": p["title"],
                    "updatedAt": p["updatedAt"],
                    "variants": p["variant_ids"],
                }
                for p in shop.products.values()
            },
            variants={
                v["sku"]: {
                    "id": v["id"],
                    "product_id": v["product_id"],
                    "price": v["price"],
                    "inventory_item_id": v["inventory_item_id"],
                    "levels": {
                        str(k): q for k, q in shop.items[v["inventory_item_id"]]["levels"].items()
                    },
                }
                for v in shop.variants.values()
            },
            orders=[payloads.order_payload(shop, o) for o in shop.orders.values()],
            emails=list(shop.emails),
            subscriptions=list(shop.subscriptions.values()),
            locations=list(shop.locations.values()),
        )

    @bp.post("/shops/<domain>/products")
    def add_product(domain: str):
        shop = shop_or_404(domain)
        with state.lock:
            product = changes.add_product(shop, request.get_json())
        return jsonify(id=gid("Product", product["id"]), variant_ids=product["variant_ids"])

    @bp.post("/shops/<domain>/products/<int:pid>")
    def update_product(domain: str, pid: int):
        """Body: product fields (title, description_html, status...) and/or variant changes
        {"variants": {"<sku>": {"price": "9.99"}}}."""
        shop = shop_or_404(domain)
        body = request.get_json() or {}
        with state.lock:
            for sku, fields in (body.pop("variants", None) or {}).items():
                changes.update_variant(shop, shop.variant_by_sku(sku)["id"], fields)
            if body:
                changes.update_product(shop, pid, body)
        return jsonify(ok=True, updatedAt=shop.products[pid]["updatedAt"])

    @bp.delete("/shops/<domain>/products/<int:pid>")
    def delete_product(domain: str, pid: int):
        shop = shop_or_404(domain)
        with state.lock:
            changes.delete_product(shop, pid)
        return jsonify(ok=True)

    @bp.post("/shops/<domain>/stock")
    def set_stock(domain: str):
        """Body: {"sku": str, "quantity": int, "location": index (default 0)}."""
        shop = shop_or_404(domain)
        body = request.get_json() or {}
        variant = shop.variant_by_sku(body["sku"]) or abort(404, "unknown sku")
        location_id = list(shop.locations)[int(body.get("location", 0))]
        with state.lock:
            changes.set_stock(shop, variant["inventory_item_id"], location_id, body["quantity"])
        return jsonify(ok=True)

    @bp.post("/shops/<domain>/orders/<int:oid>/fulfil")
    def fulfil(domain: str, oid: int):
        """The merchant fulfils in the admin. Body: {"company": "UPS", "number": "1Z...",
        "url": optional, "notify_customer": true (the admin's "Send shipment details to your
        customer now", offered only when the order has an e-mail: state.email_customer)}."""
        shop = shop_or_404(domain)
        body = request.get_json(silent=True) or {}
        with state.lock:
            if body.get("notify_customer", True):
                shop.email_customer(shop.orders[oid], "shipping_confirmation")
            record = changes.fulfil(
                shop,
                oid,
                [
                    {
                        "company": body.get("company", "UPS"),
                        "number": body.get("number", "1Z999AA10123456784"),
                        "url": body.get("url"),
                    }
                ],
            )
        return jsonify(id=gid("Fulfillment", record["id"]))

    @bp.post("/shops/<domain>/uninstall")
    def uninstall(domain: str):
        shop = shop_or_404(domain)
        with state.lock:
            changes.emit(shop, "app/uninstalled", payloads.shop_payload(shop))
            shop.installed = False
            shop.subscriptions.clear()
            for grant in state.grants.values():
                if grant.shop == domain:
                    grant.revoked = True
        return jsonify(ok=True)

    @bp.post("/shops/<domain>/compliance/<path:topic>")
    def compliance(domain: str, topic: str):
        """Send customers/data_request, customers/redact or shop/redact to the app."""
        shop = shop_or_404(domain)
        payload = {"shop_id": abs(hash(domain)) % 10**9, "shop_domain": domain}
        payload.update(request.get_json(silent=True) or {})
        import json
        import uuid

        sender.send(
            Delivery(
                url=config["compliance_url"],
                shop=shop.domain,
                topic=topic,
                body=json.dumps(payload).encode(),
                event_id=str(uuid.uuid4()),
            )
        )
        return jsonify(ok=True)

    @bp.post("/shops/<domain>/session-token")
    def mint_session_token(domain: str):
        """Body (all optional): {"sub", "lifetime", "now", claim overrides...}."""
        body = request.get_json(silent=True) or {}
        token = session_token(
            config["api_key"],
            body.pop("secret", config["api_secret"]),
            domain,
            user_id=str(body.pop("sub", "42")),
            lifetime=int(body.pop("lifetime", 60)),
            now=body.pop("now", None),
            **body,
        )
        return jsonify(token=token)

    @bp.post("/shops/<domain>/tokens/expire")
    def expire_tokens(domain: str):
        for grant in state.grants.values():
            if grant.shop == domain and grant.kind == "access":
                grant.expires_at = time.time() - 1
        return jsonify(ok=True)

    @bp.post("/shops/<domain>/throttle")
    def throttle(domain: str):
        """A throttle storm: drain the bucket, THROTTLE the next `storm` calls whatever the
        bucket holds (other apps spend it too); optionally change its size and restore rate."""
        shop = shop_or_404(domain)
        body = request.get_json(silent=True) or {}
        if "restore_rate" in body:
            shop.bucket.restore_rate = float(body["restore_rate"])
        if "maximum" in body:
            shop.bucket.maximum = float(body["maximum"])
        shop.bucket.drain(float(body.get("available", 0)))
        shop.storm = int(body.get("storm", 0))
        return jsonify(shop.bucket.status())

    @bp.post("/faults")
    def set_faults():
        """Body: {"drop": n, "duplicate": n, "delay": seconds, "hold": bool, "server_errors": n,
        "auto_approve": bool}."""
        body = request.get_json(silent=True) or {}
        for key in ("drop", "duplicate", "delay", "hold"):
            if key in body:
                sender.faults[key] = body[key]
        if "server_errors" in body:
            faults["server_errors"] = int(body["server_errors"])
        if "auto_approve" in body:
            state.auto_approve = bool(body["auto_approve"])
        return jsonify(webhooks=sender.faults, api=faults)

    @bp.post("/webhooks/release")
    def release():
        body = request.get_json(silent=True) or {}
        return jsonify(released=sender.release(body.get("order", "reverse")))

    @bp.post("/webhooks/flush")
    def flush():
        return jsonify(done=sender.flush(float(request.args.get("timeout", 10))))

    @bp.post("/webhooks/send")
    def send_webhook():
        """Send an event now: {"shop", "topic", "payload", "event_id"?, "forged"?, "url"?}."""
        import json
        import uuid

        body = request.get_json()
        shop = shop_or_404(body["shop"])
        if body.get("url"):
            sender.send(
                Delivery(
                    url=body["url"],
                    shop=shop.domain,
                    topic=body["topic"],
                    body=json.dumps(body.get("payload", {})).encode(),
                    event_id=body.get("event_id") or str(uuid.uuid4()),
                    forged=bool(body.get("forged")),
                )
            )
            return jsonify(queued=1)
        return jsonify(
            queued=sender.emit(shop, body["topic"], body.get("payload", {}), body.get("event_id"))
        )

    @bp.get("/webhooks/log")
    def webhook_log():
        return jsonify(sender.log)

    @bp.get("/calls")
    def calls():
        """What the emulator received; ?shop= filters, ?since= (epoch seconds)."""
        shop, since = request.args.get("shop"), float(request.args.get("since", 0))
        return jsonify(
            [c for c in state.calls if (not shop or c.get("shop") == shop) and c["at"] >= since]
        )

    @bp.get("/bulk/<int:op_id>.jsonl")
    def bulk_result(op_id: int):
        body = bulk_runner.results.get(op_id)
        if body is None:
            abort(404)
        return Response(body, mimetype="application/jsonl")

    return bp
