"""Amazon order drafts (mapping/orders.py) to orderCreate input, and fulfilments back."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from integrations.store import Fulfilment

CENT = Decimal("0.01")


def _money(amount: Decimal | str, currency: str) -> dict:
    value = Decimal(str(amount))
    # JPY and other zero-decimal currencies still take a decimal string; Shopify rounds.
    return {
        "shopMoney": {"amount": str(value.quantize(CENT, ROUND_HALF_UP)), "currencyCode": currency}
    }


def _tax_line(amount: str, base: Decimal, currency: str, channel_liable: bool) -> list[dict]:
    tax = Decimal(amount or "0")
    if tax <= 0:
        return []
    rate = (tax / base).quantize(Decimal("0.0001")) if base > 0 else Decimal("0")
    return [
        {
            "title": "Tax",
            "rate": str(rate),
            "priceSet": _money(tax, currency),
            "channelLiable": channel_liable,
        }
    ]


def _address(address: dict | None) -> dict | None:
    if not address:
        return None
    first, _, last = (address.get("name") or "").strip().rpartition(" ")
    out = {
        "firstName": first or None,
        "lastName": last or None,
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "provinceCode": address.get("province"),
        "zip": address.get("zip"),
        "countryCode": address.get("country_code"),
        "phone": address.get("phone"),
    }
    return {k: v for k, v in out.items() if v}


def _priced_parts(line: dict) -> list[tuple[int, Decimal, Decimal]]:
    """(quantity, unit price, tax) parts whose sum is Amazon's line to the cent.

    orderCreate takes a unit price; Amazon gives the quantity's price (and discount), which a
    rounded unit price times the quantity can miss (3 for 29.99 is not 3 x 10.00), so the
    line is split in two at most: some units at the cent below, the rest one cent above.
    """
    qty = max(int(line["quantity"]), 1)
    gross = Decimal(line.get("line_price") or Decimal(line["unit_price"]) * qty)
    net = max(gross - Decimal(line.get("discount") or "0"), Decimal(0))
    cents = int((net / CENT).to_integral_value(ROUND_HALF_UP))
    base, extra = divmod(cents, qty)
    tax = Decimal(line.get("tax") or "0")
    if not extra:
        return [(qty, Decimal(base) * CENT, tax)]
    tax_low = (tax * (qty - extra) / qty).quantize(CENT, ROUND_HALF_UP)
    return [
        (qty - extra, Decimal(base) * CENT, tax_low),
        (extra, Decimal(base + 1) * CENT, tax - tax_low),
    ]


def order_input(draft: dict, variant_ids: dict[str, str]) -> tuple[dict, dict]:
    """(order, options) for orderCreate. variant_ids: sku -> ProductVariant gid (found ones).

    Amazon gives a discount per line; orderCreate has no per-line discount without a code, so
    the unit price carries it, and the line's total stays Amazon's (see _priced_parts). Taxes
    are Amazon's amounts as tax lines, `channelLiable` where Amazon remits them (marketplace
    facilitator), `taxesIncluded` on VAT-inclusive marketplaces. No customer e-mail: Amazon
    buyers may be contacted through Amazon only, and Shopify offers to e-mail shipment
    details whenever the order has an address (sendReceipt/sendFulfillmentReceipt are off).
    """
    currency = draft["currency"]
    liable = bool(draft.get("facilitator_tax"))
    lines = []
    for line in draft["lines"]:
        for qty, unit, tax in _priced_parts(line):
            item = {
                "title": line["title"],
                "sku": line["sku"],
                "quantity": qty,
                "priceSet": _money(unit, currency),
                "requiresShipping": True,  # orderCreate's default is false
                "taxable": tax > 0,
                "taxLines": _tax_line(str(tax), unit * qty, currency, liable),
            }
            if line["sku"] in variant_ids:
                item["variantId"] = variant_ids[line["sku"]]
            lines.append(item)
    order = {
        "currency": currency,
        "sourceIdentifier": draft["amazon_order_id"],
        "sourceName": draft.get("source_name") or "amazon",
        "lineItems": lines,
        "taxesIncluded": bool(draft.get("taxes_included")),
        "financialStatus": "PAID",
        "tags": sorted(set(draft.get("tags") or []) | {"amazon"}),
        "note": draft.get("note") or f"Amazon order {draft['amazon_order_id']}",
    }
    if draft.get("purchase_date"):
        order["processedAt"] = draft["purchase_date"]
    shipping = draft.get("shipping")
    if shipping:
        price = Decimal(shipping.get("price") or "0") - Decimal(shipping.get("discount") or "0")
        order["shippingLines"] = [
            {
                "title": shipping.get("title") or "Amazon shipping",
                "source": "amazon",
                "priceSet": _money(max(price, Decimal("0")), currency),
                "taxLines": _tax_line(shipping.get("tax"), price, currency, liable),
            }
        ]
    address = _address(draft.get("shipping_address"))
    if address:
        order["shippingAddress"] = address
    afn = draft.get("fulfillment_channel") == "AFN"
    if afn:
        # Amazon shipped it from its own warehouse: record it as fulfilled, leave stock alone.
        order["fulfillmentStatus"] = "FULFILLED"
    options = {
        "inventoryBehaviour": "BYPASS" if afn else "DECREMENT_IGNORING_POLICY",
        "sendReceipt": False,
        "sendFulfillmentReceipt": False,
    }
    return order, options


def fulfilments_of(order: dict) -> list[Fulfilment]:
    """The OrderFulfillments answer as Fulfilment records, one per tracking number."""
    found = []
    for f in order.get("fulfillments") or []:
        if f.get("status") not in (None, "SUCCESS"):
            continue
        shipped: dict[str, int] = {}  # by SKU: one Amazon item may be two lines (_priced_parts)
        for n in (f.get("fulfillmentLineItems") or {}).get("nodes") or []:
            sku = n["lineItem"].get("sku") or ""
            shipped[sku] = shipped.get(sku, 0) + (n.get("quantity") or 0)
        lines = [{"sku": sku, "quantity": qty} for sku, qty in shipped.items()]
        for info in f.get("trackingInfo") or [{}]:
            found.append(
                Fulfilment(
                    store_order_id=order["id"],
                    amazon_order_id=order.get("sourceIdentifier"),
                    carrier=info.get("company") or "",
                    tracking_number=info.get("number") or "",
                    shipped_at=f["createdAt"],
                    line_items=lines,
                )
            )
    return found
