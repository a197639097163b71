"""Amazon order drafts -> WooCommerce order payloads, and shipments read back (pure).

Idempotency marker: order meta `_crossport_amazon_order_id` (plus `_crossport_marketplace_id`);
the adapter looks for it before creating (see adapter.find_order_by_amazon_id).
Shipments: the WooCommerce Shipment Tracking plugin's `_wc_shipment_tracking_items` meta (also
written by Advanced Shipment Tracking), else Crossport's documented fallback meta
`_crossport_tracking`: a JSON list (or one object) of
{"carrier", "tracking_number", "shipped_at" (ISO 8601), "ship_method"?, "line_items"?}.
Taxes: WooCommerce recomputes taxes from its own rates, so the order is exempt from them and
Amazon's ItemTax / ShippingTax are fee lines marked with who collects them (see order_payload).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from integrations.store import Fulfilment

AMAZON_ID_KEY = "_crossport_amazon_order_id"
TRACKING_KEY = "_wc_shipment_tracking_items"
FALLBACK_TRACKING_KEY = "_crossport_tracking"
CARRIERS = {
    "usps": "USPS",
    "ups": "UPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "dhl-us": "DHL",
    "royal-mail": "Royal Mail",
    "dpd": "DPD",
    "dpd-de": "DPD",
    "hermes": "Hermes",
    "canada-post": "Canada Post",
    "australia-post": "Australia Post",
    "deutsche-post": "Deutsche Post",
    "japan-post": "Japan Post",
    "gls": "GLS",
    "colissimo": "Colissimo",
    "yamato": "Yamato Transport",
    "sagawa": "Sagawa",
}


def meta_value(order: dict, key: str):
    return next((m.get("value") for m in order.get("meta_data") or [] if m.get("key") == key), None)


def _money(value) -> Decimal:
    return Decimal(str(value or "0"))


def _address(address: dict | None, buyer: dict | None) -> tuple[dict, dict]:
    address = address or {}
    name = (address.get("name") or (buyer or {}).get("name") or "").strip()
    first, _, last = name.partition(" ")
    common = {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": address.get("address1") or "",
        "address_2": address.get("address2") or "",
        "city": address.get("city") or "",
        "state": address.get("province") or "",
        "postcode": address.get("zip") or "",
        "country": address.get("country_code") or "",
    }
    billing = {**common, "email": "", "phone": address.get("phone") or ""}  # see order_payload
    return billing, {**common, "phone": address.get("phone") or ""}


def _tax_fee(name: str, amount: Decimal, kind: str, amazon_collects: bool) -> dict:
    return {
        "name": name,
        "total": str(amount),
        "tax_status": "none",  # not taxed again, and not a tax the store computed
        "meta_data": [
            {"key": "_crossport_amazon_tax", "value": kind},
            {"key": "_crossport_collected_by", "value": "amazon" if amazon_collects else "seller"},
        ],
    }


def _tax_fees(draft: dict, item_tax: Decimal, ship_tax: Decimal) -> list[dict]:
    """Amazon's ItemTax and ShippingTax as fee lines that the store does not tax again.

    A store with taxes on recomputes taxes from its own rates on POST /orders and ignores any
    tax sent (captures/orders/create-de-explicit-line-taxes), so Amazon's amounts can only be
    kept as fees, with the order exempt from the store's own taxes (`is_vat_exempt`).
    """
    amazon = bool(draft.get("facilitator_tax"))
    suffix = " (collected and remitted by Amazon)" if amazon else " (charged by Amazon)"
    if draft.get("taxes_included"):
        suffix = " (included in Amazon's price)" + (", remitted by Amazon" if amazon else "")
    fees = []
    if item_tax > 0:
        fees.append(_tax_fee("Tax on items" + suffix, item_tax, "items", amazon))
    if ship_tax > 0:
        fees.append(_tax_fee("Tax on shipping" + suffix, ship_tax, "shipping", amazon))
    return fees


def order_payload(draft: dict) -> dict:
    """The POST /orders body for an Amazon order draft (canonical store-order draft shape).

    Totals are Amazon's to the cent on any store: lines and shipping are sent net of tax (as
    WooCommerce keeps them, captures/README "Orders and taxes"), Amazon's tax is added as fee
    lines, and `is_vat_exempt=yes` stops the store adding tax of its own from its rates
    (captures/orders/create-de-gross-is_vat_exempt; without it a CA order got CA sales tax
    that Amazon had already collected). No billing e-mail: the store e-mails the billing
    address on creation and on completion (captures emails_logged), and an Amazon buyer may
    only be contacted through Amazon's Buyer-Seller Messaging.
    """
    afn = draft.get("fulfillment_channel") == "AFN"
    inclusive = bool(draft.get("taxes_included"))
    billing, shipping = _address(draft.get("shipping_address"), draft.get("buyer"))
    lines, item_tax = [], Decimal(0)
    for line in draft.get("lines") or []:
        quantity = int(line["quantity"])
        gross = _money(line.get("line_price") or _money(line["unit_price"]) * quantity)
        tax, discount = _money(line.get("tax")), _money(line.get("discount"))
        total = gross - discount - (tax if inclusive else 0)
        lines.append(
            {
                "sku": line["sku"],
                "quantity": quantity,
                "subtotal": str(total + discount),
                "total": str(total),
            }
        )
        item_tax += tax
    meta = [
        {"key": AMAZON_ID_KEY, "value": draft["amazon_order_id"]},
        {"key": "_crossport_marketplace_id", "value": draft.get("marketplace_id", "")},
        {"key": "_crossport_fulfillment_channel", "value": draft.get("fulfillment_channel")},
        {"key": "is_vat_exempt", "value": "yes"},
    ]
    payload: dict = {
        "currency": draft.get("currency") or "USD",
        "payment_method": "amazon",
        "payment_method_title": "Amazon",
        "transaction_id": draft["amazon_order_id"],
        "billing": billing,
        "shipping": shipping,
        "line_items": lines,
        "meta_data": meta,
    }
    ship, ship_tax = draft.get("shipping"), Decimal(0)
    if ship:
        ship_tax = _money(ship.get("tax"))
        net = _money(ship.get("price")) - _money(ship.get("discount"))
        payload["shipping_lines"] = [
            {
                "method_id": "amazon",
                "method_title": ship.get("title") or "Amazon shipping",
                "total": str(net - (ship_tax if inclusive else 0)),
            }
        ]
    payload["fee_lines"] = _tax_fees(draft, item_tax, ship_tax)
    if afn:
        # Fulfilled by Amazon: record it as completed and mark stock as already handled, so
        # WooCommerce does not decrement the store's own stock.
        payload.update(status="completed", set_paid=False)
        payload["meta_data"].append({"key": "_order_stock_reduced", "value": "yes"})
    else:
        payload.update(status="pending", set_paid=True)  # payment complete -> processing
    return payload


def _iso_from_timestamp(raw) -> str:
    try:
        return datetime.fromtimestamp(int(raw), UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        return str(raw or "")


def _order_lines(order: dict) -> list[dict]:
    return [
        {"sku": i.get("sku") or "", "quantity": int(i.get("quantity") or 0)}
        for i in order.get("line_items") or []
    ]


def fulfilments_of(order: dict) -> list[Fulfilment]:
    """The shipments recorded on a WooCommerce order (tracking meta, then the fallback)."""
    store_id, amazon_id = str(order["id"]), meta_value(order, AMAZON_ID_KEY)
    result = []
    for item in meta_value(order, TRACKING_KEY) or []:
        if not isinstance(item, dict) or not item.get("tracking_number"):
            continue
        provider = item.get("custom_tracking_provider") or item.get("tracking_provider") or ""
        carrier = CARRIERS.get(str(provider).lower(), str(provider))
        result.append(
            Fulfilment(
                store_order_id=store_id,
                amazon_order_id=amazon_id,
                carrier=carrier,
                tracking_number=str(item["tracking_number"]),
                shipped_at=_iso_from_timestamp(item.get("date_shipped")),
                line_items=_order_lines(order),
            )
        )
    if result:
        return result
    fallback = meta_value(order, FALLBACK_TRACKING_KEY)
    if isinstance(fallback, str):
        try:
            fallback = json.loads(fallback)
        except ValueError:
            fallback = None
    if isinstance(fallback, dict):
        fallback = [fallback]
    for item in fallback or []:
        if isinstance(item, dict) and item.get("tracking_number"):
            result.append(
                Fulfilment(
                    store_order_id=store_id,
                    amazon_order_id=amazon_id,
                    carrier=str(item.get("carrier", "")),
                    tracking_number=str(item["tracking_number"]),
                    shipped_at=str(item.get("shipped_at") or order.get("date_completed_gmt") or ""),
                    line_items=item.get("line_items") or _order_lines(order),
                    ship_method=item.get("ship_method"),
                )
            )
    return result
