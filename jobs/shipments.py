"""Shipments made in the store, confirmed on Amazon once, with carrier and tracking."""

from __future__ import annotations

import logging

from core.db import db, utcnow
from core.models import OrderLink, Shop
from jobs.amazon import seller_for
from jobs.stores import store_for
from mapping.carriers import amazon_carrier

log = logging.getLogger("crossport.jobs")


def _id_forms(store_order_id: str) -> list[str]:
    """Webhooks name Shopify orders by number (REST payloads), the adapter by GraphQL id."""
    number = store_order_id.rsplit("/", 1)[-1]
    return [store_order_id, number, f"gid://shopify/Order/{number}"]


def sync_store_order(shop_id: int, store_order_id: str) -> str:
    """A store order changed (fulfilled, cancelled): confirm new shipments on Amazon."""
    shop = db.session.get(Shop, shop_id)
    link = (
        db.session.query(OrderLink)
        .filter(
            OrderLink.shop_id == shop_id,
            OrderLink.store_order_id.in_(_id_forms(str(store_order_id))),
        )
        .first()
    )
    if shop is None or link is None:
        return "not an Amazon order"
    if link.fulfillment_channel == "AFN":
        return "fulfilled by Amazon"
    if link.state not in ("created", "shipped"):
        return f"order is {link.state}"
    confirmed = set((link.shipment or {}).get("confirmed", []))
    new = [
        f
        for f in store_for(shop).list_fulfilments(link.store_order_id)
        if f.tracking_number and f.tracking_number not in confirmed
    ]
    if not new:
        return "nothing new"
    seller = seller_for(shop_id, link.marketplace_id)
    items_by_sku = {i["sku"]: i for i in (link.shipment or {}).get("items", [])}
    for fulfilment in new:
        carrier_code, carrier_name = amazon_carrier(fulfilment.carrier)
        lines = fulfilment.line_items or [
            {"sku": sku, "quantity": item["quantity"]} for sku, item in items_by_sku.items()
        ]
        order_items = [
            {
                "orderItemId": items_by_sku[line["sku"]]["order_item_id"],
                "quantity": int(line["quantity"]),
            }
            for line in lines
            if line.get("sku") in items_by_sku
        ]
        seller.confirm_shipment(
            link.amazon_order_id,
            marketplace_id=link.marketplace_id,
            carrier_code=carrier_code,
            carrier_name=carrier_name,
            tracking_number=fulfilment.tracking_number,
            ship_date=fulfilment.shipped_at,
            ship_method=fulfilment.ship_method,
            order_items=order_items,
        )
        confirmed.add(fulfilment.tracking_number)
        link.shipment = {
            **(link.shipment or {}),
            "confirmed": sorted(confirmed),
            "carrier": carrier_name or carrier_code,
            "tracking": fulfilment.tracking_number,
            "confirmed_at": utcnow().isoformat(),
        }
        db.session.commit()  # one confirmation recorded before the next is sent
    link.state = "shipped"
    db.session.commit()
    return f"{len(new)} shipment(s) confirmed"
