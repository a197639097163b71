"""Order and fulfilment records as GraphQL-resolvable dicts."""

from __future__ import annotations

from decimal import Decimal

from sandbox.shopify.catalog_views import CatalogViews
from sandbox.shopify.connections import connection, matches, parse_search
from sandbox.shopify.field_views import money, money_bag
from sandbox.shopify.state import ShopState, gid


def _sum(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal("0"))


def order_totals(order: dict) -> dict[str, str]:
    subtotal = _sum(Decimal(li["price"]) * li["quantity"] for li in order["lines"])
    shipping = _sum(s["price"] for s in order["shippingLines"])
    tax = _sum(t["amount"] for li in order["lines"] for t in li["taxLines"])
    tax += _sum(t["amount"] for s in order["shippingLines"] for t in s["taxLines"])
    tax += _sum(t["amount"] for t in order["taxLines"])
    total = subtotal + shipping + (Decimal("0") if order["taxesIncluded"] else tax)
    return {
        k: f"{v:.2f}"
        for k, v in {"subtotal": subtotal, "shipping": shipping, "tax": tax, "total": total}.items()
    }


def fulfilment_status(order: dict) -> str:
    ordered = sum(li["quantity"] for li in order["lines"])
    shipped = sum(li["fulfilled"] for li in order["lines"])
    if ordered and shipped >= ordered:
        return "FULFILLED"
    return "PARTIALLY_FULFILLED" if shipped else "UNFULFILLED"


class OrderViews:
    """Builds views over one shop's orders."""

    def __init__(self, shop: ShopState):
        self.shop = shop
        self.catalog = CatalogViews(shop)

    def tax_line(self, t: dict, currency: str) -> dict:
        return {
            "title": t["title"],
            "rate": float(t["rate"]),
            "ratePercentage": float(t["rate"]) * 100,
            "channelLiable": t.get("channelLiable", False),
            "price": t["amount"],
            "priceSet": money_bag(t["amount"], currency),
        }

    def line(self, order: dict, li: dict) -> dict:
        cur = order["currency"]
        variant = self.shop.variants.get(li.get("variant_id") or 0)
        product = self.shop.products.get(li.get("product_id") or 0)
        unfulfilled = li["quantity"] - li["fulfilled"]
        total = f"{Decimal(li['price']) * li['quantity']:.2f}"
        return {
            "__typename": "LineItem",
            "id": gid("LineItem", li["id"]),
            "title": li["title"],
            "name": li["title"],
            "sku": li.get("sku"),
            "vendor": li.get("vendor"),
            "quantity": li["quantity"],
            "currentQuantity": li["quantity"],
            "unfulfilledQuantity": unfulfilled,
            "fulfillableQuantity": unfulfilled,
            "fulfillmentStatus": "fulfilled" if unfulfilled == 0 else "unfulfilled",
            "requiresShipping": li["requiresShipping"],
            "taxable": li["taxable"],
            "isGiftCard": False,
            "customAttributes": [],
            "discountAllocations": [],
            "originalUnitPrice": li["price"],
            "originalUnitPriceSet": money_bag(li["price"], cur),
            "originalTotalSet": money_bag(total, cur),
            "discountedTotalSet": lambda info, **_: money_bag(total, cur),
            "taxLines": lambda info, first=None: [self.tax_line(t, cur) for t in li["taxLines"]],
            "variant": self.catalog.variant(variant) if variant else None,
            "product": self.catalog.product(product) if product else None,
        }

    def fulfilment_order(self, order: dict) -> dict:
        fo = order["fulfillmentOrder"]
        lines = order["lines"]

        def line_view(li):
            return {
                "id": gid("FulfillmentOrderLineItem", li["id"]),
                "totalQuantity": li["quantity"],
                "remainingQuantity": li["quantity"] - li["fulfilled"],
                "sku": li.get("sku"),
                "requiresShipping": li["requiresShipping"],
                "productTitle": li["title"],
                "lineItem": self.line(order, li),
            }

        location = self.shop.locations[fo["location_id"]]
        return {
            "__typename": "FulfillmentOrder",
            "id": gid("FulfillmentOrder", fo["id"]),
            "status": fo["status"],
            "requestStatus": "UNSUBMITTED",
            "orderId": gid("Order", order["id"]),
            "orderName": order["name"],
            "createdAt": order["createdAt"],
            "updatedAt": order["updatedAt"],
            "assignedLocation": {
                "name": location["name"],
                "location": self.catalog.location(location),
            },
            "lineItems": lambda info, **page: connection(
                lines, line_view, info, key=lambda li: li["id"], **page
            ),
            "order": lambda info: self.order(order),
        }

    def fulfilment(self, f: dict) -> dict:
        order = self.shop.orders[f["order_id"]]
        by_id = {li["id"]: li for li in order["lines"]}
        fl_items = [(by_id[lid], qty) for lid, qty in f["lines"]]
        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", f["id"]),
            "legacyResourceId": str(f["id"]),
            "name": f["name"],
            "status": f["status"],
            "displayStatus": "FULFILLED" if f["status"] == "SUCCESS" else "CANCELED",
            "createdAt": f["createdAt"],
            "updatedAt": f["updatedAt"],
            "requiresShipping": True,
            "totalQuantity": sum(q for _, q in fl_items),
            "trackingInfo": lambda info, first=None: [dict(t) for t in f["tracking"]],
            "location": self.catalog.location(self.shop.locations[f["location_id"]]),
            "fulfillmentLineItems": lambda info, **page: connection(
                fl_items,
                lambda pair: {
                    "id": gid("FulfillmentLineItem", pair[0]["id"] * 7 + f["id"]),
                    "quantity": pair[1],
                    "lineItem": self.line(order, pair[0]),
                },
                info,
                key=lambda pair: pair[0]["id"],
                **page,
            ),
            "order": lambda info: self.order(order),
        }

    def order(self, o: dict) -> dict:
        cur = o["currency"]
        totals = order_totals(o)
        fulfilments = [self.shop.fulfillments[i] for i in o["fulfillment_ids"]]
        return {
            "__typename": "Order",
            "id": gid("Order", o["id"]),
            "legacyResourceId": str(o["id"]),
            "name": o["name"],
            "number": o["number"],
            "createdAt": o["createdAt"],
            "updatedAt": o["updatedAt"],
            "processedAt": o["processedAt"],
            "cancelledAt": o["cancelledAt"],
            "cancelReason": o["cancelReason"],
            "closed": o["closedAt"] is not None,
            "closedAt": o["closedAt"],
            "confirmed": True,
            "test": o["test"],
            "email": o["email"],
            "phone": o["phone"],
            "note": o["note"],
            "tags": o["tags"],
            "sourceIdentifier": o["sourceIdentifier"],
            "sourceName": o["sourceName"],
            "currencyCode": cur,
            "presentmentCurrencyCode": cur,
            "taxesIncluded": o["taxesIncluded"],
            "requiresShipping": any(li["requiresShipping"] for li in o["lines"]),
            "displayFulfillmentStatus": fulfilment_status(o),
            "displayFinancialStatus": o["financialStatus"],
            "fullyPaid": o["financialStatus"] == "PAID",
            "subtotalPriceSet": money_bag(totals["subtotal"], cur),
            "currentSubtotalPriceSet": money_bag(totals["subtotal"], cur),
            "totalShippingPriceSet": money_bag(totals["shipping"], cur),
            "totalTaxSet": money_bag(totals["tax"], cur),
            "currentTotalTaxSet": money_bag(totals["tax"], cur),
            "totalPriceSet": money_bag(totals["total"], cur),
            "currentTotalPriceSet": money_bag(totals["total"], cur),
            "totalDiscountsSet": money_bag("0.00", cur),
            "totalPrice": totals["total"],
            "taxLines": [self.tax_line(t, cur) for t in o["taxLines"]],
            "customAttributes": [],
            "shippingAddress": _address(o["shippingAddress"]),
            "lineItems": lambda info, **page: connection(
                o["lines"], lambda li: self.line(o, li), info, key=lambda li: li["id"], **page
            ),
            "shippingLines": lambda info, includeRemovals=None, **page: connection(
                o["shippingLines"],
                lambda s: self.shipping_line(s, cur),
                info,
                key=lambda s: s["id"],
                **page,
            ),
            "fulfillments": lambda info, first=None, query=None: [
                self.fulfilment(f) for f in fulfilments[: first or None]
            ],
            "fulfillmentOrders": lambda info, displayable=None, query=None, **page: connection(
                [o], self.fulfilment_order, info, key=lambda x: x["fulfillmentOrder"]["id"], **page
            ),
        }

    def shipping_line(self, s: dict, cur: str) -> dict:
        return {
            "id": gid("ShippingLine", s["id"]),
            "title": s["title"],
            "code": s.get("code"),
            "source": s.get("source"),
            "custom": True,
            "isRemoved": False,
            "originalPriceSet": money_bag(s["price"], cur),
            "discountedPriceSet": money_bag(s["price"], cur),
            "originalPrice": money(s["price"], cur),
            "taxLines": [self.tax_line(t, cur) for t in s["taxLines"]],
        }

    def orders(self, info, query=None, sortKey=None, savedSearchId=None, **page):
        groups = parse_search(query)
        chosen = [
            o
            for o in self.shop.orders.values()
            if matches(
                lambda f, o=o: {
                    "source_identifier": o["sourceIdentifier"],
                    "source_name": o["sourceName"],
                    "name": o["name"],
                    "updated_at": o["updatedAt"],
                    "created_at": o["createdAt"],
                    "id": str(o["id"]),
                    "tag": o["tags"],
                    "fulfillment_status": fulfilment_status(o).lower(),
                }.get(f),
                groups,
            )
        ]
        return connection(chosen, self.order, info, key=lambda o: o["id"], **page)


def _address(a: dict | None) -> dict | None:
    if not a:
        return None
    name = " ".join(x for x in (a.get("firstName"), a.get("lastName")) if x)
    return {
        "id": "gid://shopify/MailingAddress/1",
        "name": name or None,
        "coordinatesValidated": False,
        "countryCodeV2": a.get("countryCode"),
        "countryCode": a.get("countryCode"),
        **a,
    }
