"""Keep live listings in step with the store: content and price changes as patches, no no-ops.

Stock is not patched here: it goes through jobs.stock (coalesced, with the safety buffer).
"""

from __future__ import annotations

import logging

from core.db import db
from core.models import Listing, ProductSnapshot, Shop, TargetMarketplace
from jobs.amazon import seller_for
from jobs.feeds import record_patch_feed
from jobs.fx_rates import rates_table
from jobs.plans import PlanCache, plans_for_product, product_type_of
from jobs.queues import CATALOGUE_JOB_TIMEOUT, enqueue
from jobs.runs import finish_run, start_run
from jobs.stock import LIVE_STATUSES, request_stock_sync
from mapping.payloads import feed_message, patches_for

log = logging.getLogger("crossport.jobs")

STOCK_ATTRIBUTE = "fulfillment_availability"
PRICE_ATTRIBUTES = ("purchasable_offer", "list_price")
FEED_THRESHOLD = 50  # more patches than this in one marketplace go as one feed


def sync_product_listings(shop_id: int, product_id: str) -> int:
    """A product changed in the store: patch what changed on each live listing of it."""
    shop = db.session.get(Shop, shop_id)
    snapshot = (
        db.session.query(ProductSnapshot).filter_by(shop_id=shop_id, external_id=product_id).first()
    )
    if shop is None or snapshot is None or snapshot.deleted:
        return 0
    sent = _sync(shop, [snapshot], attributes=None)
    for variant in (snapshot.data or {}).get("variants", []):
        if variant.get("sku"):
            request_stock_sync(shop_id, variant["sku"])
    return sent


def reprice_shop(shop_id: int) -> int:
    """The rates or price rules changed: re-price every live listing, skipping unchanged ones."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return 0
    run = start_run("reprice", shop_id, "Re-price listings")
    sent = _sync(shop, _live_snapshots(shop), attributes=PRICE_ATTRIBUTES)
    finish_run(run, f"{sent} listings re-priced")
    return sent


def resync_product_type(shop_id: int, product_type: str) -> int:
    """The seller changed how a product type maps: rebuild its live listings, patch what changed."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return 0
    run = start_run("resync", shop_id, f"Update listings of {product_type}")
    snapshots = [s for s in _live_snapshots(shop) if product_type_of(shop, s) == product_type]
    sent = _sync(shop, snapshots, attributes=None)
    finish_run(run, f"{sent} listings updated")
    return sent


def _live_snapshots(shop: Shop) -> list[ProductSnapshot]:
    """The store products with at least one variant listed and live on Amazon."""
    skus = {
        sku
        for (sku,) in db.session.query(Listing.sku).filter(
            Listing.shop_id == shop.id, Listing.status.in_(LIVE_STATUSES)
        )
    }
    return [
        s
        for s in db.session.query(ProductSnapshot).filter_by(shop_id=shop.id, deleted=False)
        if any(v.get("sku") in skus for v in (s.data or {}).get("variants", []))
    ]


def _sync(shop: Shop, snapshots: list[ProductSnapshot], attributes: tuple[str, ...] | None) -> int:
    cache = PlanCache(shop, fetch_schema=True, rates=rates_table())  # this sync's reads
    sent = 0
    for target in db.session.query(TargetMarketplace).filter_by(shop_id=shop.id, enabled=True):
        live = {
            row.sku: row
            for row in db.session.query(Listing).filter(
                Listing.shop_id == shop.id,
                Listing.marketplace_id == target.marketplace_id,
                Listing.status.in_(LIVE_STATUSES),
            )
        }
        changes = []
        plans = [
            plan
            for snapshot in snapshots
            for plan in plans_for_product(shop, snapshot, target.marketplace_id, cache=cache)
        ]
        with db.session.no_autoflush:
            for plan in plans:
                row = live.get(plan.sku)
                if row is None:
                    continue
                row.local_problems = [p.to_dict() for p in plan.problems]
                if not plan.ok:
                    continue  # the listing keeps its last good content; the page shows why
                old = {
                    k: v
                    for k, v in (row.payload.get("attributes") or {}).items()
                    if k != STOCK_ATTRIBUTE
                }
                new = {k: v for k, v in plan.payload["attributes"].items() if k != STOCK_ATTRIBUTE}
                if attributes is not None:
                    old = {k: v for k, v in old.items() if k in attributes}
                    new = {k: v for k, v in new.items() if k in attributes}
                patches = patches_for(old, new)
                if patches:
                    changes.append((row, plan, patches))
        db.session.commit()  # no write lock held across the calls to Amazon
        sent += _send(shop, target, changes)
    db.session.commit()
    return sent


def _send(shop: Shop, target: TargetMarketplace, changes: list) -> int:
    if not changes:
        return 0
    seller = seller_for(shop.id, target.marketplace_id)
    if len(changes) > FEED_THRESHOLD:
        messages = [
            feed_message(i, row.sku, "PATCH", row.product_type, patches=patches)
            for i, (row, _, patches) in enumerate(changes, start=1)
        ]
        feed_id = seller.submit_feed(target.marketplace_id, messages)
        message_skus = {str(m["messageId"]): m["sku"] for m in messages}
        record_patch_feed(shop.id, target.marketplace_id, feed_id, "patchfeed", message_skus)
        log.info(
            "price/content feed %s with %d patches",
            feed_id,
            len(messages),
            extra={"shop_id": shop.id},
        )
    else:
        for row, _, patches in changes:
            log.info(
                "patch %s on %s: %s",
                row.sku,
                target.marketplace_id,
                ", ".join(p["path"] for p in patches),
                extra={"shop_id": shop.id},
            )
            seller.patch_listing(target.marketplace_id, row.sku, row.product_type, patches)
    for row, plan, _ in changes:
        stock = row.payload.get("attributes", {}).get(STOCK_ATTRIBUTE)
        row.payload = plan.payload
        if stock is not None:
            row.payload["attributes"][STOCK_ATTRIBUTE] = stock
        if plan.price_breakdown is not None:
            row.price, row.price_breakdown = plan.price_breakdown.price, plan.price_breakdown.text
    db.session.commit()
    return len(changes)


def request_reprice(shop_id: int) -> None:
    """Re-price the shop's live listings soon (coalesced: one job however many saves)."""
    enqueue(
        "jobs.listing_sync.reprice_shop",
        shop_id,
        queue="listings",
        job_id=f"reprice:{shop_id}",
        timeout=CATALOGUE_JOB_TIMEOUT,
        title="Re-price listings",
        shop_id=shop_id,
    )


def request_resync(shop_id: int, product_type: str) -> None:
    """Bring the live listings of a product type in line with its edited mapping."""
    enqueue(
        "jobs.listing_sync.resync_product_type",
        shop_id,
        product_type,
        queue="listings",
        job_id=f"resync:{shop_id}:{product_type}",
        timeout=CATALOGUE_JOB_TIMEOUT,
        title=f"Update listings of {product_type}",
        shop_id=shop_id,
    )
