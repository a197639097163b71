"""Orders as the emulator keeps them, and how tests and the demo place and cancel them."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timedelta
from decimal import Decimal

from . import marketplaces, notifier
from .state import iso, utcnow

_PREFIX = {"NA": "11", "EU": "30", "FE": "50"}
_ADDRESSES = {
    "JP": {"Name": "山田 太郎", "AddressLine1": "千代田区丸の内1-1-1", "City": "東京都",
           "StateOrRegion": "東京都", "PostalCode": "100-0005", "CountryCode": "JP",
           "Phone": "+81 3-1234-5678"},
    "DE": {"Name": "Jürgen Müller", "AddressLine1": "Friedrichstraße 12", "City": "Berlin",
           "StateOrRegion": "Berlin", "PostalCode": "10117", "CountryCode": "DE",
           "Phone": "+49 30 1234567"},
    "GB": {"Name": "Olivia Smith", "AddressLine1": "10 Downing Street", "City": "London",
           "StateOrRegion": "London", "PostalCode": "SW1A 2AA", "CountryCode": "GB"},
}  # fmt: skip
_DEFAULT_ADDRESS = {"Name": "Jane Doe", "AddressLine1": "410 Terry Ave N", "City": "Seattle",
                    "StateOrRegion": "WA", "PostalCode": "98109", "CountryCode": "US",
                    "Phone": "+1 206-555-0100"}  # fmt: skip


def money(amount, currency: str) -> dict:
    """SP-API Money; JPY has no minor unit."""
    step = Decimal("1") if currency == "JPY" else Decimal("0.01")
    return {"CurrencyCode": currency, "Amount": str(Decimal(str(amount)).quantize(step))}


def place_order(state, spec: dict) -> dict:
    """Create an order from a control request (see control.py for the fields)."""
    market = marketplaces.get(spec["marketplace_id"])
    if market is None:
        raise ValueError(f"unknown marketplace {spec['marketplace_id']!r}")
    currency = spec.get("currency") or market.currency
    channel = spec.get("fulfillment_channel", "MFN")
    order_id = spec.get("amazon_order_id") or (
        f"{_PREFIX[market.region]}{random.randint(1, 9)}-{random.randint(0, 9999999):07d}"
        f"-{random.randint(0, 9999999):07d}"
    )
    purchased = datetime.fromisoformat(spec["purchase_date"].replace("Z", "+00:00")) \
        if spec.get("purchase_date") else utcnow()  # fmt: skip
    lag = _visible_after(spec.get("visible_after_seconds", 0))
    items, total = [], Decimal("0")
    for n, line in enumerate(spec["items"], start=1):
        quantity = int(line.get("quantity", 1))
        price = Decimal(str(line.get("price", "10.00"))) * quantity
        tax = Decimal(str(line.get("tax", "0")))
        shipping = Decimal(str(line.get("shipping", "0")))
        shipping_tax = Decimal(str(line.get("shipping_tax", "0")))
        # OrderTotal is what the buyer paid: prices less the promotion; in the US the sales
        # tax comes on top (prices exclude it), elsewhere the VAT is inside the prices.
        total += price + shipping - Decimal(str(line.get("discount", "0")))
        total += tax + shipping_tax if market.country == "US" else 0
        item = {
            "ASIN": line.get("asin", "B0" + format(abs(hash(line["sku"])) % 10**8, "08d")),
            "SellerSKU": line["sku"], "OrderItemId": f"{order_id.replace('-', '')[:10]}{n:04d}",
            "Title": line.get("title", line["sku"]), "QuantityOrdered": quantity,
            "QuantityShipped": quantity if channel == "AFN" else 0,
            "ItemPrice": money(price, currency), "ItemTax": money(tax, currency),
            "ShippingPrice": money(shipping, currency),
            "ShippingTax": money(line.get("shipping_tax", "0"), currency),
            "PromotionDiscount": money(line.get("discount", "0"), currency),
            "IsGift": "false", "ConditionId": "New",
        }  # fmt: skip
        if market.country == "US":
            item["TaxCollection"] = {
                "Model": "MarketplaceFacilitator",
                "ResponsibleParty": "Amazon Services, Inc.",
            }
        items.append(item)
    status = spec.get("status") or ("Shipped" if channel == "AFN" else "Unshipped")
    order = {
        "AmazonOrderId": order_id, "seller": spec["seller_id"], "MarketplaceId": market.id,
        "SalesChannel": market.name, "FulfillmentChannel": channel, "OrderStatus": status,
        "PurchaseDate": iso(purchased), "LastUpdateDate": iso(purchased),
        "created": purchased.timestamp(), "updated": time.time(),
        "pending_until": time.time() + state.scaled(float(spec.get("pending_seconds", 0))),
        # Amazon's getOrders lags its ORDER_CHANGE notification by seconds to a minute: the
        # order is hidden from getOrders until then. Not scaled by speedup: the lag is measured
        # against the client's own wall-clock delays (its follow-up poll).
        "visible_at": time.time() + lag,
        "OrderTotal": money(total, currency), "items": items,
        "NumberOfItemsShipped": sum(i["QuantityShipped"] for i in items),
        "NumberOfItemsUnshipped": sum(i["QuantityOrdered"] - i["QuantityShipped"] for i in items),
        "ShipServiceLevel": "Std Cont US Street Addr" if market.country == "US" else "Std Intl",
        "ShipmentServiceLevelCategory": "Standard", "OrderType": "StandardOrder",
        "PaymentMethod": "Other", "PaymentMethodDetails": ["Standard"],
        "IsBusinessOrder": False, "IsPrime": bool(spec.get("is_prime", channel == "AFN")),
        "IsPremiumOrder": False, "IsGlobalExpressEnabled": False, "IsReplacementOrder": False,
        "IsSoldByAB": False, "IsISPU": False, "IsAccessPointOrder": False,
        "EarliestShipDate": iso(purchased), "LatestShipDate": iso(purchased + timedelta(days=2)),
        "address": {**_ADDRESSES.get(market.country, _DEFAULT_ADDRESS),
                    **(spec.get("address") or {})},
        "buyer": spec.get("buyer") or {"BuyerEmail": f"{order_id}@marketplace.amazon.example",
                                       "BuyerName": _ADDRESSES.get(market.country,
                                                                   _DEFAULT_ADDRESS)["Name"]},
        "shipments": [],
    }  # fmt: skip
    with state.lock:
        state.orders[order_id] = order
    notifier.order_changed(state, order, "Order placed")
    if status == "Pending":
        _clear_payment_later(state, order)
    return order


def _visible_after(value) -> float:
    """The order's lag behind its notification, in seconds; a bad value says what it got."""
    try:
        lag = float(value)
    except (TypeError, ValueError):
        lag = -1.0
    if not 0 <= lag <= 3600:
        raise ValueError(f"visible_after_seconds must be 0 to 3600 seconds, got {value!r}")
    return lag


def touch(state, order: dict, status: str | None = None, reason: str = "") -> None:
    """Record a change: Amazon moves LastUpdateDate on every status change, and publishes
    ORDER_CHANGE to the seller's subscribers."""
    changed = bool(status) and status != order["OrderStatus"]
    if status:
        order["OrderStatus"] = status
    order["updated"] = time.time()
    order["LastUpdateDate"] = iso(utcnow())
    if changed:
        notifier.order_changed(state, order, reason or f"Order status changed to {status}")


def refresh(state, order: dict) -> None:
    """A Pending order becomes Unshipped (or Shipped for FBA) once payment clears."""
    if order["OrderStatus"] == "Pending" and time.time() >= order["pending_until"]:
        status = "Shipped" if order["FulfillmentChannel"] == "AFN" else "Unshipped"
        touch(state, order, status, "Payment cleared")


def _clear_payment_later(state, order: dict) -> None:
    """Payment clears on its own, read or not: the status change is then notified on time."""

    def clear() -> None:
        with state.lock:
            if state.orders.get(order["AmazonOrderId"]) is order:  # not reset meanwhile
                refresh(state, order)

    timer = threading.Timer(max(0.0, order["pending_until"] - time.time()) + 0.01, clear)
    timer.daemon = True
    timer.start()


PUBLIC_FIELDS = (
    "AmazonOrderId",
    "PurchaseDate",
    "LastUpdateDate",
    "OrderStatus",
    "FulfillmentChannel",
    "SalesChannel",
    "ShipServiceLevel",
    "OrderTotal",
    "NumberOfItemsShipped",
    "NumberOfItemsUnshipped",
    "PaymentMethod",
    "PaymentMethodDetails",
    "MarketplaceId",
    "ShipmentServiceLevelCategory",
    "OrderType",
    "EarliestShipDate",
    "LatestShipDate",
    "IsBusinessOrder",
    "IsPrime",
    "IsPremiumOrder",
    "IsGlobalExpressEnabled",
    "IsReplacementOrder",
    "IsSoldByAB",
    "IsISPU",
    "IsAccessPointOrder",
)


def public(order: dict) -> dict:
    """The order as getOrder/getOrders show it (no personal data)."""
    shown = {k: order[k] for k in PUBLIC_FIELDS if k in order}
    if order["OrderStatus"] == "Pending":  # Amazon shows no totals before payment clears
        shown.pop("OrderTotal", None)
    return shown
