"""Orders of the emulated store: creation from REST input, status changes, stock and notes.

Taxes are recomputed on create as a real store does (sandbox/woocommerce/taxes.py cites the
captures); the e-mails the store would send are recorded in `state.emails` (see `_email`).
"""

from __future__ import annotations

import copy
import secrets
from decimal import Decimal

from sandbox.woocommerce.catalog import (
    RestError,
    derive_prices_and_stock,
    stock_source,
    sync_variable,
)
from sandbox.woocommerce.state import StoreState, meta_list, touch, wc_time
from sandbox.woocommerce.taxes import recalculate_taxes

STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed")
REDUCING = ("processing", "completed", "on-hold")
ADDRESS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _find_by_sku(state: StoreState, sku: str) -> tuple[int, int]:
    for variation in state.variations.values():
        if variation["sku"] == sku:
            return variation["_parent"], variation["id"]
    for product in state.products.values():
        if product["sku"] == sku:
            return product["id"], 0
    return 0, 0


def _line_item(state: StoreState, data: dict) -> dict:
    product_id = int(data.get("product_id") or 0)
    variation_id = int(data.get("variation_id") or 0)
    if not product_id and not variation_id and data.get("sku"):
        product_id, variation_id = _find_by_sku(state, data["sku"])
    if product_id in state.variations and not variation_id:
        # A variation id in product_id is normalised to parent + variation, as variation_id
        # alone is (captures/webhooks/scenario-order-created-us.json: product_id 41).
        product_id, variation_id = 0, product_id
    if not variation_id and product_id in state.variations:
        variation_id = product_id  # a variation id as product_id is normalised (captures:
        product_id = 0  # orders/create-us-processing, line 3: product_id 41 -> 39 / 41)
    if variation_id and not product_id and variation_id in state.variations:
        product_id = state.variations[variation_id]["_parent"]
    source = state.variations.get(variation_id) if variation_id else state.products.get(product_id)
    if source is None:
        raise RestError("woocommerce_rest_invalid_product_id", "Product ID provided is invalid.")
    parent = state.products[product_id]
    quantity = int(data.get("quantity", 1))
    price = Decimal(source["price"] or "0")
    total = Decimal(str(data["total"])) if data.get("total") not in (None, "") else price * quantity
    subtotal = Decimal(str(data["subtotal"])) if data.get("subtotal") not in (None, "") else total
    return {
        "id": state.next_item_id(),
        "name": data.get("name") or parent["name"],
        "product_id": product_id,
        "variation_id": variation_id,
        "quantity": quantity,
        "tax_class": "",
        "subtotal": _money(subtotal),
        "subtotal_tax": "0.00",  # taxes sent are ignored; recalculate_taxes sets them
        "total": _money(total),
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": meta_list(state, data.get("meta_data"), []),
        "sku": source["sku"],
        "price": float(total / quantity) if quantity else 0.0,
    }


def _shipping_line(state: StoreState, data: dict) -> dict:
    return {
        "id": state.next_item_id(),
        "method_title": data.get("method_title", ""),
        "method_id": data.get("method_id", ""),
        "instance_id": str(data.get("instance_id", "")),
        "total": _money(Decimal(str(data.get("total") or 0))),
        "total_tax": "0.00",  # taxes sent are ignored; recalculate_taxes sets them
        "taxes": [],
        "tax_status": "taxable",
        "meta_data": meta_list(state, data.get("meta_data"), []),
    }


def _fee_line(state: StoreState, data: dict) -> dict:
    return {
        "id": state.next_item_id(),
        "name": data.get("name", ""),
        "tax_class": "",
        "tax_status": data.get("tax_status", "taxable"),
        "total": _money(Decimal(str(data.get("total") or 0))),
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": meta_list(state, data.get("meta_data"), []),
    }


def _sum(rows: list[dict], key: str) -> Decimal:
    return sum((Decimal(r[key]) for r in rows), Decimal(0))


def _recalculate(state: StoreState, order: dict) -> None:
    """WC_Abstract_Order::calculate_totals as the captures show it (create-us-processing:
    subtotal 258 vs total 240 is discount_total 18.00; cart_tax counts line and fee taxes)."""
    vat_exempt = any(
        m.get("key") == "is_vat_exempt" and m.get("value") == "yes" for m in order["meta_data"]
    )
    recalculate_taxes(state.tax, order, vat_exempt)
    for tax_line in order["tax_lines"]:
        tax_line["id"] = state.next_item_id()
    items, lines = _sum(order["line_items"], "total"), order["line_items"]
    item_tax = _sum(lines, "total_tax") + _sum(order["fee_lines"], "total_tax")
    ship = _sum(order["shipping_lines"], "total")
    ship_tax = _sum(order["shipping_lines"], "total_tax")
    order["discount_total"] = _money(_sum(lines, "subtotal") - items)
    order["discount_tax"] = _money(_sum(lines, "subtotal_tax") - _sum(lines, "total_tax"))
    order["shipping_total"] = _money(ship)
    order["shipping_tax"] = _money(ship_tax)
    order["cart_tax"] = _money(item_tax)
    order["total_tax"] = _money(item_tax + ship_tax)
    fees = _sum(order["fee_lines"], "total")
    order["total"] = _money(items + ship + fees + item_tax + ship_tax)


def _adjust_stock(state: StoreState, order: dict, sign: int) -> None:
    """Reduce (sign -1) or restore (+1) managed stock for each line, as wc_*_stock_levels do."""
    for item in order["line_items"]:
        target = state.variations.get(item["variation_id"]) or state.products.get(
            item["product_id"]
        )
        if target is not None and "_parent" in target:
            # A variation selling its parent's stock reduces the parent's, and the parent is
            # delivered, not the variation (scenario-order-created-us.json: 39 for 41).
            target = stock_source(state, target)
        if target is None or not target["manage_stock"] or target["stock_quantity"] is None:
            continue
        target["stock_quantity"] += sign * item["quantity"]
        derive_prices_and_stock(target)
        touch(target, state.now())
        parent = state.products.get(item["product_id"])
        if parent is not None and parent is not target:
            touch(parent, state.now())
            sync_variable(state, parent)
        # The product whose stock moved is delivered: a variation managing its own stock is sent
        # as itself, not its parent (captures/webhooks/scenario-order-created-us.json: 46).
        state.emit("product.updated", target["id"])


# The transactional e-mails WooCommerce hooks to status transitions (WC_Emails /
# includes/emails/class-wc-email-*.php triggers); the captures' emails_logged show the first two
# (orders/create-us-processing: new_order + customer_processing_order) and completed
# (webhooks/scenario-order-status-completed), and no e-mail for completed -> cancelled.
_ADMIN_EMAILS = {
    "new_order": {
        ("pending", "processing"), ("pending", "completed"), ("pending", "on-hold"),
        ("failed", "processing"), ("failed", "completed"), ("failed", "on-hold"),
        ("cancelled", "processing"), ("cancelled", "completed"), ("cancelled", "on-hold"),
    },
    "cancelled_order": {("processing", "cancelled"), ("on-hold", "cancelled")},
    "failed_order": {("pending", "failed"), ("on-hold", "failed")},
}  # fmt: skip
_CUSTOMER_EMAILS = {
    "customer_processing_order": {
        ("pending", "processing"), ("failed", "processing"), ("cancelled", "processing"),
        ("on-hold", "processing"),
    },
    "customer_on_hold_order": {
        ("pending", "on-hold"), ("failed", "on-hold"), ("cancelled", "on-hold"),
    },
    "customer_completed_order": {(old, "completed") for old in STATUSES if old != "completed"},
}  # fmt: skip
ADMIN_EMAIL = "admin@store.example"


def _email(state: StoreState, order: dict, email_id: str, customer: bool) -> None:
    """Record an e-mail the store sends; a customer e-mail goes to the billing e-mail only, and
    is not sent without one (WC_Email::trigger checks get_recipient())."""
    recipient = order["billing"].get("email") if customer else ADMIN_EMAIL
    if recipient:
        state.emails.append({"email_id": email_id, "recipient": recipient, "order_id": order["id"]})


def _transition_emails(state: StoreState, order: dict, old: str, new: str) -> None:
    for email_id, moves in _ADMIN_EMAILS.items():
        if (old, new) in moves:
            _email(state, order, email_id, customer=False)
    for email_id, moves in _CUSTOMER_EMAILS.items():
        if (old, new) in moves:
            _email(state, order, email_id, customer=True)


def _set_status(state: StoreState, order: dict, status: str) -> None:
    if status not in STATUSES:
        raise RestError("rest_invalid_param", "Invalid parameter(s): status")
    old = order["status"]
    order["status"] = status
    if old != status:
        _transition_emails(state, order, old, status)
    hidden = state.hidden_meta.setdefault(order["id"], {})
    if status in REDUCING and old != status and not hidden.get("_order_stock_reduced"):
        _adjust_stock(state, order, -1)
        hidden["_order_stock_reduced"] = "yes"
    if status in ("cancelled", "pending") and hidden.get("_order_stock_reduced") == "yes":
        _adjust_stock(state, order, +1)
        hidden["_order_stock_reduced"] = ""
    stamp = wc_time(state.now())
    if status == "completed" and not order["date_completed"]:
        order["date_completed"] = order["date_completed_gmt"] = stamp


def create_order(state: StoreState, data: dict) -> dict:
    ident = state.next_id()
    stamp = wc_time(state.now())
    order = {
        "id": ident,
        "parent_id": 0,
        "number": str(ident),
        "order_key": "wc_order_" + secrets.token_hex(6),
        "created_via": "rest-api",
        "version": "9.4.0",
        "status": "pending",
        "currency": data.get("currency", "USD"),
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": "0.00",
        "total_tax": "0.00",
        # read-only over REST: the store's option (captures create-de-* true, create-us false)
        "prices_include_tax": state.tax.prices_include_tax,
        "customer_id": int(data.get("customer_id", 0)),
        "customer_ip_address": "",
        "customer_user_agent": "",
        "customer_note": data.get("customer_note", ""),
        "billing": {**{k: "" for k in ADDRESS}, "email": "", "phone": ""},
        "shipping": {**{k: "" for k in ADDRESS}, "phone": ""},
        "payment_method": data.get("payment_method", ""),
        "payment_method_title": data.get("payment_method_title", ""),
        "transaction_id": data.get("transaction_id", ""),
        "date_paid": None,
        "date_paid_gmt": None,
        "date_completed": None,
        "date_completed_gmt": None,
        "cart_hash": "",
        "meta_data": [],
        "line_items": [],
        "tax_lines": [],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
    }
    for part in ("billing", "shipping"):
        order[part].update({k: v for k, v in (data.get(part) or {}).items() if k in order[part]})
    order["line_items"] = [_line_item(state, li) for li in data.get("line_items", [])]
    order["shipping_lines"] = [_shipping_line(state, s) for s in data.get("shipping_lines", [])]
    order["fee_lines"] = [_fee_line(state, f) for f in data.get("fee_lines", [])]
    _apply_meta(state, order, data.get("meta_data"))
    _recalculate(state, order)
    state.orders[ident] = order
    state.notes[ident] = []
    # A new order's initial status is no transition: no stock moves unless payment completes.
    order["status"] = data.get("status", "pending")
    if order["status"] not in STATUSES:
        del state.orders[ident]
        raise RestError("rest_invalid_param", "Invalid parameter(s): status")
    if order["status"] != "pending":  # a new order starts as pending: this is a transition
        _transition_emails(state, order, "pending", order["status"])
    if data.get("set_paid"):
        order["date_paid"] = order["date_paid_gmt"] = stamp
        _set_status(state, order, "processing" if order["status"] == "pending" else order["status"])
        hidden = state.hidden_meta.setdefault(ident, {})
        if not hidden.get("_order_stock_reduced"):
            _adjust_stock(state, order, -1)
            hidden["_order_stock_reduced"] = "yes"
    return order


def _apply_meta(state: StoreState, order: dict, entries: list[dict] | None) -> None:
    hidden = state.hidden_meta.setdefault(order["id"], {})
    visible = []
    for entry in entries or []:
        # Internal meta keys go to their setter (WC_Data), not to the visible meta list.
        key = str(entry.get("key") or "")
        if key == "_order_stock_reduced":
            hidden["_order_stock_reduced"] = "yes" if entry.get("value") in ("yes", True) else ""
        elif key.startswith(("_billing_", "_shipping_")) and _address_field(order, key):
            # `_billing_phone` sets billing.phone and is no meta row; other "_" keys are kept
            # (captures/orders/update-meta-underscore.json, underscore-meta-db-check.json).
            part, field = _address_field(order, key)
            order[part][field] = "" if entry.get("value") is None else str(entry["value"])
        else:
            visible.append(entry)
    order["meta_data"] = meta_list(state, visible, order["meta_data"])


def _address_field(order: dict, key: str) -> tuple[str, str] | None:
    """("billing", "phone") for `_billing_phone`: an internal key WC_Order has a setter for."""
    part, _, field = key[1:].partition("_")
    return (part, field) if field in order.get(part, {}) else None


def update_order(state: StoreState, ident: int, data: dict) -> dict:
    order = state.orders.get(ident)
    if order is None:
        raise RestError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404)
    for part in ("billing", "shipping"):
        if part in data:
            order[part].update({k: v for k, v in data[part].items() if k in order[part]})
    for key in ("customer_note", "transaction_id", "payment_method", "payment_method_title"):
        if key in data:
            order[key] = data[key]
    if "meta_data" in data:
        _apply_meta(state, order, data["meta_data"])
    if "status" in data and data["status"] != order["status"]:
        _set_status(state, order, data["status"])
    touch(order, state.now())
    return order


def add_note(state: StoreState, ident: int, data: dict) -> dict:
    if ident not in state.orders:
        raise RestError("woocommerce_rest_order_invalid_id", "Invalid order ID.", 404)
    if not data.get("note"):
        raise RestError("woocommerce_rest_missing_note", "Missing note.")
    stamp = wc_time(state.now())
    note = {
        "id": state.next_id(),
        "author": "system",
        "date_created": stamp,
        "date_created_gmt": stamp,
        "note": data["note"],
        "customer_note": bool(data.get("customer_note", False)),
    }
    state.notes[ident].append(note)
    if note["customer_note"]:  # captures: webhooks/scenario-order-notes (customer_note e-mail)
        _email(state, state.orders[ident], "customer_note", customer=True)
    return note


def public_note(state: StoreState, order_id: int, note: dict) -> dict:
    api = f"{state.base()}/wp-json/wc/v3/orders/{order_id}/notes"
    return {
        **copy.deepcopy(note),
        "_links": {
            "self": [{"href": f"{api}/{note['id']}"}],
            "collection": [{"href": api}],
            "up": [{"href": f"{state.base()}/wp-json/wc/v3/orders/{order_id}"}],
        },
    }
