"""orderCreate as Shopify applies it: line items, taxes, shipping, inventory behaviour, status."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sandbox.shopify import payloads
from sandbox.shopify.changes import Changes
from sandbox.shopify.state import ShopState, gid_number, now_iso


def _amount(money_bag: dict | None) -> str:
    if not money_bag:
        return "0.00"
    try:
        return f"{Decimal(str(money_bag['shopMoney']['amount'])):.2f}"
    except (InvalidOperation, KeyError, TypeError):
        return "0.00"


def _tax_lines(lines: list[dict] | None) -> list[dict]:
    return [
        {
            "title": t["title"],
            "rate": str(t["rate"]),
            "amount": _amount(t.get("priceSet")),
            "channelLiable": bool(t.get("channelLiable")),
        }
        for t in lines or []
    ]


def create_order(changes: Changes, shop: ShopState, order: dict, options: dict | None):
    """Returns (order record or None, userErrors)."""
    options = options or {}
    errors = []
    lines_in = order.get("lineItems") or []
    if not lines_in:
        errors.append(
            {
                "field": ["order", "lineItems"],
                "message": "Line items must have at least one line item",
                "code": "INVALID",
            }
        )
    if order.get("taxLines") and any(li.get("taxLines") for li in lines_in):
        errors.append(
            {
                "field": ["order", "taxLines"],
                "message": "Tax lines can be specified on the order or on line items, but not both",
                "code": "INVALID",
            }
        )
    currency = order.get("currency") or shop.currency
    lines = []
    for index, li in enumerate(lines_in):
        variant = None
        if li.get("variantId"):
            variant = shop.variants.get(gid_number(li["variantId"]))
            if variant is None:
                errors.append(
                    {
                        "field": ["order", "lineItems", str(index), "variantId"],
                        "message": "Variant does not exist",
                        "code": "INVALID",
                    }
                )
                continue
        if variant is None and not li.get("title"):
            errors.append(
                {
                    "field": ["order", "lineItems", str(index), "title"],
                    "message": "Title can't be blank",
                    "code": "INVALID",
                }
            )
            continue
        product = shop.products.get(variant["product_id"]) if variant else None
        lines.append(
            {
                "id": changes.state.next_id(),
                "title": li.get("title") or (product["title"] if product else ""),
                "quantity": int(li["quantity"]),
                "sku": li.get("sku") or (variant["sku"] if variant else None),
                "vendor": li.get("vendor"),
                "variant_id": variant["id"] if variant else None,
                "product_id": variant["product_id"] if variant else None,
                "price": _amount(li.get("priceSet"))
                if li.get("priceSet")
                else (variant["price"] if variant else "0.00"),
                "requiresShipping": bool(li.get("requiresShipping", False)),
                "taxable": bool(li.get("taxable", True)),
                "taxLines": _tax_lines(li.get("taxLines")),
                "fulfilled": 0,
            }
        )
    behaviour = options.get("inventoryBehaviour") or "BYPASS"
    if behaviour == "DECREMENT_OBEYING_POLICY":
        for line in lines:
            variant = shop.variants.get(line["variant_id"] or 0)
            if (
                variant
                and shop.available(variant["inventory_item_id"], online_only=True)
                < line["quantity"]
            ):
                errors.append(
                    {
                        "field": ["order", "lineItems"],
                        "code": "INVENTORY_NOT_AVAILABLE",
                        "message": f"{line['title']} is not available in the quantity requested",
                    }
                )
    if errors:
        return None, errors

    st = changes.state
    shop.order_number += 1
    at = now_iso()
    location_id = shop.primary_location()["id"]
    if order.get("fulfillment", {}) and order["fulfillment"].get("locationId"):
        location_id = gid_number(order["fulfillment"]["locationId"])
    record = {
        "id": st.next_id(),
        "number": shop.order_number,
        "name": order.get("name") or f"#{shop.order_number}",
        "createdAt": at,
        "updatedAt": at,
        "processedAt": order.get("processedAt") or at,
        "cancelledAt": None,
        "cancelReason": None,
        "closedAt": None,
        "sourceIdentifier": order.get("sourceIdentifier"),
        "sourceName": order.get("sourceName") or "api",
        "sourceUrl": order.get("sourceUrl"),
        "note": order.get("note"),
        "tags": list(order.get("tags") or []),
        "email": order.get("email"),
        "phone": order.get("phone"),
        "currency": currency,
        "taxesIncluded": bool(order.get("taxesIncluded", False)),
        "test": bool(order.get("test", False)),
        "financialStatus": (order.get("financialStatus") or "PAID").upper(),
        "lines": lines,
        "shippingLines": [
            {
                "id": st.next_id(),
                "title": s["title"],
                "code": s.get("code"),
                "source": s.get("source"),
                "price": _amount(s.get("priceSet")),
                "taxLines": _tax_lines(s.get("taxLines")),
            }
            for s in order.get("shippingLines") or []
        ],
        "taxLines": _tax_lines(order.get("taxLines")),
        "shippingAddress": dict(order["shippingAddress"]) if order.get("shippingAddress") else None,
        "fulfillment_ids": [],
        "fulfillmentOrder": {"id": st.next_id(), "status": "OPEN", "location_id": location_id},
        "decremented": behaviour != "BYPASS",
    }
    shop.orders[record["id"]] = record
    if behaviour != "BYPASS":
        for line in lines:
            variant = shop.variants.get(line["variant_id"] or 0)
            if variant:
                changes.adjust_stock(
                    shop, variant["inventory_item_id"], location_id, -line["quantity"]
                )
    changes.emit(shop, "orders/create", payloads.order_payload(shop, record))
    # OrderCreateOptionsInput (admin-graphql-2026-07.schema.graphql): sendReceipt "Whether to
    # send an order confirmation to the customer", sendFulfillmentReceipt "... a shipping
    # confirmation", both default false.
    if options.get("sendReceipt"):
        shop.email_customer(record, "order_confirmation")
    fulfilment = order.get("fulfillment") or {}
    if order.get("fulfillmentStatus") == "FULFILLED" or fulfilment:
        tracking = []
        if fulfilment.get("trackingNumber"):
            tracking = [
                {
                    "company": fulfilment.get("trackingCompany"),
                    "number": fulfilment["trackingNumber"],
                    "url": None,
                }
            ]
        changes.fulfil(shop, record["id"], tracking)
        if options.get("sendFulfillmentReceipt"):
            shop.email_customer(record, "shipping_confirmation")
    return record, []
