"""Orders v0: getOrders, getOrder, getOrderItems, getOrderAddress, getOrderBuyerInfo,
confirmShipment."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from . import marketplaces
from . import orders_world as world
from .dispatch import ApiError, Call
from .state import iso, utcnow


def _parse_time(value: str, name: str) -> float:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ApiError(400, "InvalidInput", f"{name} is not an ISO 8601 date: {value!r}") from None


def get_orders(em, call: Call):
    state, q = em.state, call.query
    page_size = int(q.get("MaxResultsPerPage") or 100)
    if q.get("NextToken"):
        cursor = state.order_pages.pop(q["NextToken"], None)
        if cursor is None or cursor["seller"] != call.seller:
            raise ApiError(400, "InvalidInput", "Invalid NextToken.")
        return 200, _page(state, cursor, page_size, _elements(call))
    created, updated = q.get("CreatedAfter"), q.get("LastUpdatedAfter")
    if bool(created) == bool(updated):
        raise ApiError(
            400, "InvalidInput", "Exactly one of CreatedAfter and LastUpdatedAfter is required."
        )
    ids = call.marketplace_ids("MarketplaceIds")
    for mid in ids:
        market = marketplaces.get(mid)
        if market is None or (call.region and market.region != call.region):
            raise ApiError(400, "InvalidInput", f"Invalid MarketplaceId {mid!r} for this region.")
    field = "created" if created else "updated"
    since = _parse_time(created or updated, "CreatedAfter" if created else "LastUpdatedAfter")
    before_name = "CreatedBefore" if created else "LastUpdatedBefore"
    # Amazon says up to when its answer is complete, even while an order placed before that is
    # not shown yet (visible_at: its lag behind the notification), as Amazon's replication does
    now = until = time.time()
    if q.get(before_name):
        until = min(until, _parse_time(q[before_name], before_name))
    statuses = set(q.get("OrderStatuses") or [])
    channels = set(q.get("FulfillmentChannels") or [])
    for order in state.orders.values():
        world.refresh(state, order)
    matching = sorted(
        (o for o in state.orders.values()
         if o["seller"] == call.seller and o["MarketplaceId"] in ids
         and o.get("visible_at", 0) <= now
         and since <= o[field] <= until + 1e-6
         and (not statuses or o["OrderStatus"] in statuses)
         and (not channels or o["FulfillmentChannel"] in channels)),
        key=lambda o: (o[field], o["AmazonOrderId"]),
    )  # fmt: skip
    cursor = {"seller": call.seller, "ids": [o["AmazonOrderId"] for o in matching],
              "before_name": before_name, "until": until}  # fmt: skip
    return 200, _page(state, cursor, page_size, _elements(call))


def _elements(call: Call) -> set[str]:
    """Restricted data elements the call's RDT grants (none with a plain access token)."""
    return set(call.token.get("data_elements") or []) if call.token.get("rdt") else set()


def _with_restricted(order: dict, elements: set[str]) -> dict:
    """The public order, plus the buyer's data an RDT with dataElements unlocks (FBM only:
    Amazon keeps the address of orders it ships itself)."""
    shown = world.public(order)
    if "shippingAddress" in elements and order["FulfillmentChannel"] == "MFN":
        shown["ShippingAddress"] = order["address"]
    if "buyerInfo" in elements:
        shown["BuyerInfo"] = order["buyer"]
    return shown


def _page(state, cursor: dict, size: int, elements: set[str]) -> dict:
    ids, rest = cursor["ids"][:size], cursor["ids"][size:]
    payload = {
        "Orders": [_with_restricted(state.orders[i], elements) for i in ids if i in state.orders],
        cursor["before_name"]: iso(datetime.fromtimestamp(cursor["until"], utcnow().tzinfo)),
    }
    if rest:
        token = secrets.token_urlsafe(24)
        state.order_pages[token] = {**cursor, "ids": rest}
        payload["NextToken"] = token
    return {"payload": payload}


def _own_order(em, call: Call) -> dict:
    order = em.state.orders.get(call.path["orderId"])
    if order is None or order["seller"] != call.seller:
        raise ApiError(404, "NotFound", f"Order {call.path['orderId']} not found.")
    world.refresh(em.state, order)
    return order


def get_order(em, call: Call):
    return 200, {"payload": _with_restricted(_own_order(em, call), _elements(call))}


def get_order_items(em, call: Call):
    order = _own_order(em, call)
    items = [dict(i) for i in order["items"]]
    if order["OrderStatus"] == "Pending":
        for item in items:
            for key in ("ItemPrice", "ItemTax", "ShippingPrice", "ShippingTax"):
                item.pop(key, None)
    return 200, {"payload": {"AmazonOrderId": order["AmazonOrderId"], "OrderItems": items}}


def get_order_address(em, call: Call):
    order = _own_order(em, call)
    return 200, {
        "payload": {"AmazonOrderId": order["AmazonOrderId"], "ShippingAddress": order["address"]}
    }


def get_order_buyer_info(em, call: Call):
    order = _own_order(em, call)
    return 200, {"payload": {"AmazonOrderId": order["AmazonOrderId"], **order["buyer"]}}


def confirm_shipment(em, call: Call):
    order = _own_order(em, call)
    body = call.body
    if body["marketplaceId"] != order["MarketplaceId"]:
        raise ApiError(400, "InvalidInput", "marketplaceId does not match the order.")
    if order["FulfillmentChannel"] == "AFN":
        raise ApiError(400, "InvalidInput", "Amazon fulfils this order (AFN).")
    if order["OrderStatus"] not in ("Unshipped", "PartiallyShipped"):
        raise ApiError(400, "InvalidInput", f"The order is {order['OrderStatus']}.")
    by_id = {i["OrderItemId"]: i for i in order["items"]}
    package = body["packageDetail"]
    for line in package["orderItems"]:
        item = by_id.get(line["orderItemId"])
        if item is None:
            raise ApiError(400, "InvalidInput", f"Unknown orderItemId {line['orderItemId']}.")
        if item["QuantityShipped"] + line["quantity"] > item["QuantityOrdered"]:
            raise ApiError(400, "InvalidInput", "Shipped quantity exceeds the ordered quantity.")
    for line in package["orderItems"]:
        by_id[line["orderItemId"]]["QuantityShipped"] += line["quantity"]
    order["shipments"].append(package)
    shipped = sum(i["QuantityShipped"] for i in order["items"])
    ordered = sum(i["QuantityOrdered"] for i in order["items"])
    order["NumberOfItemsShipped"], order["NumberOfItemsUnshipped"] = shipped, ordered - shipped
    status = "Shipped" if shipped == ordered else "PartiallyShipped"
    world.touch(em.state, order, status, "Shipment confirmed")
    return 204, None


HANDLERS = {
    "getOrders": get_orders,
    "getOrder": get_order,
    "getOrderItems": get_order_items,
    "getOrderAddress": get_order_address,
    "getOrderBuyerInfo": get_order_buyer_info,
    "confirmShipment": confirm_shipment,
}
