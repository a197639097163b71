"""Orders of the emulated store: creation from REST input, status changes, stock and notes."""

from __future__ import annotations

import copy
import secrets
from decimal import Decimal

from sandbox.woocommerce.catalog import RestError, derive_prices_and_stock, sync_variable
from sandbox.woocommerce.state import StoreState, meta_list, touch, wc_time

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
        "subtotal_tax": "0.00",
        "total": _money(total),
        "total_tax": _money(Decimal(str(data.get("total_tax") or 0))),
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
        "total_tax": _money(Decimal(str(data.get("total_tax") or 0))),
        "taxes": [],
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


def _recalculate(order: dict) -> None:
    items = sum((Decimal(i["total"]) for i in order["line_items"]), Decimal(0))
    item_tax = sum((Decimal(i["total_tax"]) for i in order["line_items"]), Decimal(0))
    ship = sum((Decimal(s["total"]) for s in order["shipping_lines"]), Decimal(0))
    ship_tax = sum((Decimal(s["total_tax"]) for s in order["shipping_lines"]), Decimal(0))
    order["shipping_total"] = _money(ship)
    order["shipping_tax"] = _money(ship_tax)
    order["cart_tax"] = _money(item_tax)
    order["total_tax"] = _money(item_tax + ship_tax)
    fees = sum((Decimal(f["total"]) for f in order["fee_lines"]), Decimal(0))
    order["total"] = _money(items + ship + fees + item_tax + ship_tax)


def _adjust_stock(state: StoreState, order: dict, sign: int) -> None:
    """Reduce (sign -1) or restore (+1) managed stock for each line, as wc_*_stock_levels do."""
    for item in order["line_items"]:
        target = state.variations.get(item["variation_id"]) or state.products.get(
            item["product_id"]
        )
        if target is None or not target["manage_stock"] or target["stock_quantity"] is None:
            continue
        target["stock_quantity"] += sign * item["quantity"]
        derive_prices_and_stock(target)
        touch(target, state.now())
        parent = state.products.get(item["product_id"])
        if parent is not None and parent is not target:
            touch(parent, state.now())
            sync_variable(state, parent)
        state.emit("product.updated", item["product_id"])


def _set_status(state: StoreState, order: dict, status: str) -> None:
    if status not in STATUSES:
        raise RestError("rest_invalid_param", "Invalid parameter(s): status")
    old = order["status"]
    order["status"] = status
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
        "prices_include_tax": bool(data.get("prices_include_tax", False)),
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
    _recalculate(order)
    state.orders[ident] = order
    state.notes[ident] = []
    # A new order's initial status is no transition: no stock moves unless payment completes.
    order["status"] = data.get("status", "pending")
    if order["status"] not in STATUSES:
        del state.orders[ident]
        raise RestError("rest_invalid_param", "Invalid parameter(s): status")
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
        if entry.get("key") == "_order_stock_reduced":
            hidden["_order_stock_reduced"] = "yes" if entry.get("value") in ("yes", True) else ""
        else:
            visible.append(entry)
    order["meta_data"] = meta_list(state, visible, order["meta_data"])


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
