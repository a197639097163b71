"""Test and demo controls under /_sandbox/: sellers, consent, faults, orders, stock, call log.

POST   /_sandbox/reset
POST   /_sandbox/sellers        {seller_id?, name?, regions?, marketplace_ids?}
                                -> {seller_id, refresh_tokens: {region: token}}
POST   /_sandbox/consent        {region, seller_id}  who approves the consent page
POST   /_sandbox/options        {auto_approve?, speedup?, buyable_after_seconds?, ...}
POST   /_sandbox/revoke         {refresh_token} or {seller_id}
POST   /_sandbox/faults         {kind: 429|429-empty|500|503|slow|timeout, operation?, count?,
                                 delay?, seller?};  DELETE clears them
GET    /_sandbox/calls          ?operation=&caller=   every answered call with its time
GET    /_sandbox/violations     contract violations;  DELETE clears them
POST   /_sandbox/orders         {marketplace_id, items: [{sku, quantity, price, tax?,
                                 shipping?, title?, asin?}], fulfillment_channel?: MFN|AFN,
                                 seller_id?, currency?, status?, pending_seconds?,
                                 purchase_date?, address?, buyer?, visible_after_seconds?}
                                visible_after_seconds: getOrders shows it only that much later
                                (Amazon's lag behind the ORDER_CHANGE notification)
POST   /_sandbox/orders/<id>/cancel
POST   /_sandbox/orders/<id>/defect {kind: claims|chargebacks|negativeFeedback}  (order defect rate)
GET    /_sandbox/orders/<id>    the order with its shipments
POST   /_sandbox/inventory      {marketplace_id, sku, quantity, seller_id?, asin?, name?}
GET    /_sandbox/listings       ?seller_id=   every listing with status and issues
POST   /_sandbox/listings/issue {seller_id?, sku, marketplace_id, issue: {...}}
GET    /_sandbox/documents/<id> a feed document's raw bytes as uploaded
GET    /_sandbox/notifications  every notification published, with its delivery status
POST   /_sandbox/notifications/redeliver {notification_id, times?}  deliver it again (Amazon
                                delivers at least once)
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, abort, current_app, jsonify, request

from . import listing_engine, marketplaces, orders_world, seller_performance
from .api_catalog import set_inventory
from .seed import DEMO_SELLER_ID
from .state import Fault

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


def _em():
    return current_app.config["EMULATOR"]


def _json() -> dict:
    return request.get_json(silent=True) or {}


@bp.post("/reset")
def reset():
    _em().reset()
    return jsonify(ok=True)


@bp.post("/sellers")
def add_seller():
    body, state = _json(), _em().state
    seller_id = body.get("seller_id") or state.new_id("A1SELLER").upper()[:14]
    regions = set(body.get("regions") or marketplaces.REGIONS)
    ids = set(
        body.get("marketplace_ids")
        or [m.id for m in marketplaces.MARKETPLACES if m.region in regions]
    )
    state.add_seller(seller_id, body.get("name", f"Store {seller_id}"), regions, ids)
    tokens = {region: state.mint_refresh_token(seller_id, region) for region in sorted(regions)}
    return jsonify(seller_id=seller_id, refresh_tokens=tokens)


@bp.post("/consent")
def consent_seller():
    body, state = _json(), _em().state
    with state.lock:
        state.consent_seller[body["region"].upper()] = body["seller_id"]
    return jsonify(ok=True)


@bp.post("/options")
def set_options():
    em, body = _em(), _json()
    names = {f.name for f in dataclasses.fields(em.state.options)}
    for key, value in body.items():
        if key not in names:
            abort(400, f"unknown option {key}")
        setattr(em.state.options, key, value)
    em.throttle.speedup = em.state.options.speedup
    em.throttle.enabled = em.state.options.rate_limits
    return jsonify(dataclasses.asdict(em.state.options))


@bp.post("/revoke")
def revoke():
    body, state = _json(), _em().state
    with state.lock:
        tokens = [
            t
            for t, (seller, _) in state.refresh_tokens.items()
            if t == body.get("refresh_token") or seller == body.get("seller_id")
        ]
        state.revoked.update(tokens)
    return jsonify(revoked=len(tokens))


@bp.route("/faults", methods=["POST", "DELETE"])
def faults():
    state = _em().state
    with state.lock:
        if request.method == "DELETE":
            state.faults.clear()
        else:
            body = _json()
            default_delay = 30.0 if body.get("kind") == "timeout" else 1.0
            state.faults.append(Fault(kind=str(body["kind"]), operation=body.get("operation", "*"),
                                      count=int(body.get("count", 1)),
                                      delay=float(body.get("delay", default_delay)),
                                      seller=body.get("seller")))  # fmt: skip
        return jsonify(faults=[dataclasses.asdict(f) for f in state.faults])


@bp.get("/calls")
def calls():
    state = _em().state
    operation, caller = request.args.get("operation"), request.args.get("caller")
    with state.lock:
        rows = [dataclasses.asdict(c) for c in state.calls
                if (not operation or c.operation == operation)
                and (not caller or c.caller == caller)]  # fmt: skip
    return jsonify(calls=rows)


@bp.route("/violations", methods=["GET", "DELETE"])
def violations():
    state = _em().state
    with state.lock:
        if request.method == "DELETE":
            state.violations.clear()
        return jsonify(violations=list(state.violations))


@bp.post("/orders")
def place_order():
    body = {"seller_id": DEMO_SELLER_ID, **_json()}
    try:
        order = orders_world.place_order(_em().state, body)
    except (KeyError, ValueError) as exc:
        abort(400, str(exc))
    return jsonify(_order_view(order)), 201


@bp.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str):
    state = _em().state
    with state.lock:
        order = state.orders.get(order_id) or abort(404)
        orders_world.touch(state, order, "Canceled", "Canceled by Amazon")
        return jsonify(_order_view(order))


@bp.post("/orders/<order_id>/defect")
def add_defect(order_id: str):
    """Record an A-to-z claim, a chargeback or negative feedback: the seller performance report
    counts the order as defective."""
    kind = _json().get("kind")
    if kind not in seller_performance.DEFECT_KINDS:
        abort(400, f"kind must be one of {', '.join(seller_performance.DEFECT_KINDS)}")
    state = _em().state
    with state.lock:
        order = state.orders.get(order_id) or abort(404)
        order.setdefault("defects", []).append(kind)
        return jsonify(_order_view(order))


@bp.get("/orders/<order_id>")
def show_order(order_id: str):
    state = _em().state
    with state.lock:
        return jsonify(_order_view(state.orders.get(order_id) or abort(404)))


def _order_view(order: dict) -> dict:
    hidden = ("created", "updated", "pending_until", "visible_at")
    return {k: v for k, v in order.items() if k not in hidden}


@bp.post("/inventory")
def inventory():
    body, state = _json(), _em().state
    with state.lock:
        row = set_inventory(
            state,
            body.get("seller_id", DEMO_SELLER_ID),
            body["marketplace_id"],
            body["sku"],
            body["quantity"],
            body.get("asin"),
            body.get("name", ""),
        )
    return jsonify(row)


@bp.get("/listings")
def listings():
    em = _em()
    seller = request.args.get("seller_id")
    rows = []
    with em.state.lock:
        for (owner, sku, mkt), listing in sorted(em.state.listings.items()):
            if seller and owner != seller:
                continue
            status, issues = listing_engine.mature(em, listing)
            rows.append({"seller_id": owner, "sku": sku, "marketplace_id": mkt,
                         "productType": listing["productType"], "asin": listing["asin"],
                         "attributes": listing["attributes"], "status": status,
                         "issues": issues})  # fmt: skip
    return jsonify(listings=rows)


@bp.post("/listings/issue")
def add_issue():
    body, state = _json(), _em().state
    key = (body.get("seller_id", DEMO_SELLER_ID), body["sku"], body["marketplace_id"])
    with state.lock:
        listing = state.listings.get(key) or abort(404)
        listing["extra_issues"].append(body["issue"])
    return jsonify(ok=True)


@bp.get("/documents/<doc_id>")
def raw_document(doc_id: str):
    state = _em().state
    with state.lock:
        document = state.documents.get(doc_id)
    if document is None or document.get("content") is None:
        abort(404)
    return Response(document["content"], content_type="application/octet-stream")


@bp.get("/notifications")
def notifications():
    state = _em().state
    with state.lock:
        return jsonify(notifications=[dict(entry) for entry in state.outbox])


@bp.post("/notifications/redeliver")
def redeliver():
    body, state = _json(), _em().state
    with state.lock:
        wanted = body.get("notification_id")
        found = [e for e in state.outbox
                 if e["body"]["NotificationMetadata"]["NotificationId"] == wanted]  # fmt: skip
        if not found:
            abort(404)
        copies = [{**found[0], "status": "pending", "attempts": 0, "error": ""}
                  for _ in range(int(body.get("times", 1)))]  # fmt: skip
        state.outbox.extend(copies)
    state.outbox_signal.set()
    return jsonify(queued=len(copies))
