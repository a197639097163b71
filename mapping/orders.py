"""Amazon order → store order draft: lines by SKU, prices, promotions, taxes, FBA vs MFN.

Input: SP-API Orders v0 `getOrder` and `getOrderItems` payloads (plus `getOrderAddress` and
`getOrderBuyerInfo` when Amazon released them). Output: the store-order draft every store adapter's
`create_order(draft)` takes (see ../shared canonical shapes and `StoreOrderSchema`).

Money rules: ItemPrice and ShippingPrice are totals for the line's quantity; on VAT-inclusive
marketplaces (EU, UK, JP...) they already contain the tax, so `taxes_included` is true and the
line tax is informational. Marketplace-facilitator tax (US states) is collected and remitted by
Amazon: it is reported once, on the line, with `facilitator_tax` true, never added twice.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marshmallow import EXCLUDE, Schema, fields, validate

from mapping.marketplaces import marketplace
from mapping.pricing import minor_unit

FULFILLMENT_CHANNELS = ("MFN", "AFN")


class _Loose(Schema):
    class Meta:
        unknown = EXCLUDE


class MoneySchema(_Loose):
    CurrencyCode = fields.String(load_default=None)
    Amount = fields.String(load_default="0")


class AmazonOrderItemSchema(_Loose):
    SellerSKU = fields.String(load_default="")
    Title = fields.String(load_default="")
    QuantityOrdered = fields.Integer(load_default=0)
    ItemPrice = fields.Nested(MoneySchema, load_default=None)
    ItemTax = fields.Nested(MoneySchema, load_default=None)
    ShippingPrice = fields.Nested(MoneySchema, load_default=None)
    ShippingTax = fields.Nested(MoneySchema, load_default=None)
    ShippingDiscount = fields.Nested(MoneySchema, load_default=None)
    ShippingDiscountTax = fields.Nested(MoneySchema, load_default=None)
    PromotionDiscount = fields.Nested(MoneySchema, load_default=None)
    PromotionDiscountTax = fields.Nested(MoneySchema, load_default=None)
    PromotionIds = fields.List(fields.String(), load_default=list)
    TaxCollection = fields.Dict(load_default=None)


class AmazonOrderSchema(_Loose):
    AmazonOrderId = fields.String(required=True)
    MarketplaceId = fields.String(required=True)
    PurchaseDate = fields.String(load_default="")
    LatestShipDate = fields.String(load_default=None)
    OrderStatus = fields.String(load_default="Unshipped")
    FulfillmentChannel = fields.String(load_default="MFN")
    ShipServiceLevel = fields.String(load_default=None)
    OrderTotal = fields.Nested(MoneySchema, load_default=None)
    IsPrime = fields.Boolean(load_default=False)
    IsBusinessOrder = fields.Boolean(load_default=False)
    BuyerInfo = fields.Dict(load_default=None)
    ShippingAddress = fields.Dict(load_default=None)


class LineSchema(Schema):
    sku = fields.String(required=True)
    title = fields.String(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    unit_price = fields.String(required=True)
    line_price = fields.String()  # ItemPrice: the quantity's price, exact (unit_price is rounded)
    tax = fields.String(required=True)
    discount = fields.String(required=True)


class StoreOrderSchema(Schema):
    """The store-order draft (what `create_order(draft)` receives)."""

    amazon_order_id = fields.String(required=True)
    marketplace_id = fields.String(required=True)
    currency = fields.String(required=True)
    fulfillment_channel = fields.String(
        required=True, validate=validate.OneOf(FULFILLMENT_CHANNELS)
    )
    purchase_date = fields.String(required=True)
    latest_ship_date = fields.String(allow_none=True)
    status = fields.String(required=True)
    lines = fields.List(fields.Nested(LineSchema), required=True)
    shipping = fields.Dict(allow_none=True)
    taxes_included = fields.Boolean(required=True)
    facilitator_tax = fields.Boolean(required=True)
    shipping_address = fields.Dict(allow_none=True)
    buyer = fields.Dict(allow_none=True)
    source_name = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    note = fields.String(required=True)


def _amount(money: dict | None) -> Decimal:
    try:
        return Decimal(str((money or {}).get("Amount") or "0"))
    except InvalidOperation:
        return Decimal(0)


def _text(value: Decimal, currency: str) -> str:
    return format(value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP), "f")


def _is_facilitator(item: dict) -> bool:
    return str((item.get("TaxCollection") or {}).get("Model", "")) == "MarketplaceFacilitator"


def _address(raw: dict | None) -> dict | None:
    if not raw:
        return None
    line2 = " ".join(x for x in (raw.get("AddressLine2"), raw.get("AddressLine3")) if x)
    return {
        "name": raw.get("Name"),
        "address1": raw.get("AddressLine1"),
        "address2": line2 or None,
        "city": raw.get("City"),
        "province": raw.get("StateOrRegion"),
        "zip": raw.get("PostalCode"),
        "country_code": raw.get("CountryCode"),
        "phone": raw.get("Phone"),
    }


def amazon_order_to_store_order(
    order: dict, items: list[dict], address: dict | None = None, buyer: dict | None = None
) -> dict:
    """The store-order draft for one Amazon order (raises marshmallow.ValidationError on junk)."""
    head = AmazonOrderSchema().load(order)
    rows = AmazonOrderItemSchema(many=True).load(items)
    market = marketplace(head["MarketplaceId"])
    currency = (
        (head.get("OrderTotal") or {}).get("CurrencyCode")
        or next(
            ((r.get("ItemPrice") or {}).get("CurrencyCode") for r in rows if r.get("ItemPrice")),
            None,
        )
        or market.currency
    )
    lines, facilitator = [], False
    ship_price = ship_tax = ship_discount = Decimal(0)
    shipping_seen = False
    promotions: set[str] = set()
    for row in rows:
        quantity = row["QuantityOrdered"]
        facilitator = facilitator or _is_facilitator(row)
        promotions.update(row["PromotionIds"])
        if row.get("ShippingPrice") is not None:
            shipping_seen = True
        ship_price += _amount(row.get("ShippingPrice"))
        ship_tax += _amount(row.get("ShippingTax")) - _amount(row.get("ShippingDiscountTax"))
        ship_discount += _amount(row.get("ShippingDiscount"))
        if quantity <= 0:
            continue  # a cancelled line: nothing to create
        total = _amount(row.get("ItemPrice"))
        lines.append(
            {
                "sku": row["SellerSKU"],
                "title": row["Title"] or row["SellerSKU"],
                "quantity": quantity,
                "unit_price": _text(total / quantity, currency),
                "line_price": _text(total, currency),
                "tax": _text(
                    _amount(row.get("ItemTax")) - _amount(row.get("PromotionDiscountTax")), currency
                ),
                "discount": _text(_amount(row.get("PromotionDiscount")), currency),
            }
        )
    shipping = None
    if shipping_seen or head.get("ShipServiceLevel"):
        shipping = {
            "title": head.get("ShipServiceLevel") or "Amazon shipping",
            "price": _text(ship_price, currency),
            "tax": _text(ship_tax, currency),
            "discount": _text(ship_discount, currency),
        }
    afn = head["FulfillmentChannel"] == "AFN"
    released = {**(head.get("BuyerInfo") or {}), **(buyer or {})}
    buyer_out = None
    if released.get("BuyerName") or released.get("BuyerEmail"):
        buyer_out = {"name": released.get("BuyerName"), "email": released.get("BuyerEmail")}
    tags = ["amazon", market.site, "FBA" if afn else "MFN"]
    tags += [
        t for t, on in (("Prime", head["IsPrime"]), ("Business", head["IsBusinessOrder"])) if on
    ]
    tags += [f"promo:{p}" for p in sorted(promotions)]
    note = f"Amazon order {head['AmazonOrderId']} on {market.site}."
    if afn:
        note += " Fulfilled by Amazon (FBA): already shipped, do not ship or take stock."
    if facilitator:
        note += " Sales tax collected and remitted by Amazon (marketplace facilitator)."
    draft = {
        "amazon_order_id": head["AmazonOrderId"],
        "marketplace_id": market.id,
        "currency": currency,
        "fulfillment_channel": "AFN" if afn else "MFN",
        "purchase_date": head["PurchaseDate"],
        "latest_ship_date": head.get("LatestShipDate"),
        "status": head["OrderStatus"],
        "lines": lines,
        "shipping": shipping,
        "taxes_included": market.vat_inclusive,
        "facilitator_tax": facilitator,
        "shipping_address": _address(address or head.get("ShippingAddress")),
        "buyer": buyer_out,
        "source_name": "amazon",
        "tags": tags,
        "note": note,
    }
    return StoreOrderSchema().load(draft)
