"""A stock backlog too large for single calls goes to Amazon as one PATCH feed per marketplace."""

from __future__ import annotations

import logging

from core.db import db
from core.models import Listing, Shop, TargetMarketplace, VariantSnapshot
from core.redis import get_redis
from jobs.amazon import seller_for
from jobs.stock import LIVE_STATUSES, buffer_for, burst_keys
from jobs.stores import store_for
from mapping.payloads import feed_message

log = logging.getLogger("crossport.jobs")

STORE_BATCH = 100


def sync_stock_feed(shop_id: int) -> dict[str, int]:
    """Drain the shop's waiting stock changes: read the store once, send one feed per market."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        return {}
    redis = get_redis()
    skus = [s.decode() for s in redis.spop(f"crossport:stock-pending:{shop_id}", 100_000) or []]
    if not skus:
        return {}
    store = store_for(shop)
    available: dict[str, int] = {}
    for start in range(0, len(skus), STORE_BATCH):
        available.update(store.get_stock(skus[start : start + STORE_BATCH]))
    variants = {
        v.sku: v
        for v in db.session.query(VariantSnapshot).filter(
            VariantSnapshot.shop_id == shop_id, VariantSnapshot.sku.in_(skus)
        )
    }
    sent: dict[str, int] = {}
    targets = db.session.query(TargetMarketplace).filter_by(shop_id=shop_id, enabled=True)
    for target in targets:
        rows = (
            db.session.query(Listing)
            .filter(
                Listing.shop_id == shop_id,
                Listing.marketplace_id == target.marketplace_id,
                Listing.sku.in_(skus),
                Listing.status.in_(LIVE_STATUSES),
                Listing.fulfillment_channel == "FBM",
            )
            .all()
        )
        messages = []
        for row in rows:
            quantity = max(
                0, available.get(row.sku, 0) - buffer_for(shop, target, variants.get(row.sku))
            )
            if row.quantity_sent == quantity:
                continue
            value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
            messages.append(
                feed_message(
                    len(messages) + 1,
                    row.sku,
                    "PATCH",
                    row.product_type,
                    patches=[
                        {
                            "op": "replace",
                            "path": "/attributes/fulfillment_availability",
                            "value": value,
                        }
                    ],
                )
            )
            row.quantity_sent = quantity
        if messages:
            seller_for(shop_id, target.marketplace_id).submit_feed(target.marketplace_id, messages)
            sent[target.marketplace_id] = len(messages)
    for sku, quantity in available.items():
        if sku in variants:
            variants[sku].quantity = quantity
    for sku in skus:  # the single-SKU jobs still queued find nothing left to do
        redis.delete(*burst_keys(shop_id, sku))
    db.session.commit()
    log.info("stock feed: %s", sent, extra={"shop_id": shop_id})
    return sent
