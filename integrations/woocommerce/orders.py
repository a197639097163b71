"""Amazon order drafts -> WooCommerce order payloads, and shipments read back (pure).

Idempotency marker: order meta `_crossport_amazon_order_id` (plus `_crossport_marketplace_id`);
the adapter looks for it before creating (see adapter.find_order_by_amazon_id).
Shipments: the WooCommerce Shipment Tracking plugin's `_wc_shipment_tracking_items` meta (also
written by Advanced Shipment Tracking), else Crossport's documented fallback meta
`_crossport_tracking`: a JSON list (or one object) of
{"carrier", "tracking_number", "shipped_at" (ISO 8601), "ship_method"?, "line_items"?}.
Taxes: WooCommerce recomputes taxes from its own rates, so Amazon's tax (when Amazon does not
collect it as marketplace facilitator and prices exclude it) is carried as one fee line.
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
    billing = {
        **common,
        "email": (buyer or {}).get("email") or "",
        "phone": address.get("phone") or "",
    }
    return billing, {**common, "phone": address.get("phone") or ""}


def order_payload(draft: dict) -> dict:
    """The POST /orders body for an Amazon order draft (canonical store-order draft shape)."""
    afn = draft.get("fulfillment_channel") == "AFN"
    billing, shipping = _address(draft.get("shipping_address"), draft.get("buyer"))
    lines, tax = [], Decimal(0)
    for line in draft.get("lines") or []:
        quantity = int(line["quantity"])
        gross = _money(line["unit_price"]) * quantity
        lines.append(
            {
                "sku": line["sku"],
                "quantity": quantity,
                "subtotal": str(gross),
                "total": str(gross - _money(line.get("discount"))),
            }
        )
        tax += _money(line.get("tax"))
    meta = [
        {"key": AMAZON_ID_KEY, "value": draft["amazon_order_id"]},
        {"key": "_crossport_marketplace_id", "value": draft.get("marketplace_id", "")},
        {"key": "_crossport_fulfillment_channel", "value": draft.get("fulfillment_channel")},
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
    ship = draft.get("shipping")
    if ship:
        tax += _money(ship.get("tax"))
        payload["shipping_lines"] = [
            {
                "method_id": "amazon",
                "method_title": ship.get("title") or "Amazon shipping",
                "total": str(_money(ship.get("price")) - _money(ship.get("discount"))),
            }
        ]
    if tax > 0 and not draft.get("facilitator_tax") and not draft.get("taxes_included"):
        payload["fee_lines"] = [{"name": "Amazon tax", "total": str(tax), "tax_status": "none"}]
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
