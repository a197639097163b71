"""Keep live listings in step with the store: content and price changes as patches, no no-ops.

Stock is not patched here: it goes through jobs.stock (coalesced, with the safety buffer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update

from core.db import db
from core.models import Listing, ProductSnapshot, Shop, TargetMarketplace
from jobs.alerts import raise_alert
from jobs.amazon import seller_for
from jobs.feed_window import wait_for_feed_slot
from jobs.feeds import record_patch_feed
from jobs.fx_rates import rates_table
from jobs.plans import PlanCache, plans_for_product, product_type_of
from jobs.queues import CATALOGUE_JOB_TIMEOUT, enqueue
from jobs.runs import finish_run, start_run
from jobs.stock import LIVE_STATUSES, request_stock_sync
from mapping.payloads import feed_message, patches_for
from mapping.variations import parent_sku_for

log = logging.getLogger("crossport.jobs")

STOCK_ATTRIBUTE = "fulfillment_availability"
PRICE_ATTRIBUTES = ("purchasable_offer", "list_price")
FEED_THRESHOLD = 50  # more patches than this in one marketplace go as one feed
FEW_PRODUCTS = 100  # a sync of up to this many products reads only their listings


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


@dataclass(frozen=True)
class _Change:
    """What one live listing needs sent, with what its row becomes once it is: plain values, so
    nothing is read back from the rows after the commits around the calls to Amazon."""

    listing_id: int
    sku: str
    product_type: str | None
    patches: list[dict]
    payload: dict
    price: Decimal | None
    price_breakdown: str | None


def _sync(shop: Shop, snapshots: list[ProductSnapshot], attributes: tuple[str, ...] | None) -> int:
    """Plan every product in every enabled marketplace, product by product (each product is
    loaded and checked once, and no commit in between makes the session read rows again), then
    send each marketplace's changes."""
    cache = PlanCache(shop, fetch_schema=True, rates=rates_table())  # this sync's reads
    targets = db.session.query(TargetMarketplace).filter_by(shop_id=shop.id, enabled=True).all()
    rows = db.session.query(Listing).filter(
        Listing.shop_id == shop.id, Listing.status.in_(LIVE_STATUSES)
    )
    if len(snapshots) <= FEW_PRODUCTS:  # one product changed: its rows, not the whole shop's
        rows = rows.filter(Listing.sku.in_(_skus_of(snapshots)))
    live = {(row.marketplace_id, row.sku): row for row in rows}
    changes: dict[str, list[_Change]] = {target.marketplace_id: [] for target in targets}
    with db.session.no_autoflush:
        for snapshot in snapshots:
            for target in targets:
                for plan in plans_for_product(shop, snapshot, target.marketplace_id, cache=cache):
                    row = live.get((target.marketplace_id, plan.sku))
                    if row is not None:
                        change = _change(row, plan, attributes)
                        if change is not None:
                            changes[target.marketplace_id].append(change)
    db.session.commit()  # the problems found; no write lock held across the calls to Amazon
    return sum(_send(shop, target, changes[target.marketplace_id]) for target in targets)


def _skus_of(snapshots: list[ProductSnapshot]) -> set[str]:
    """Every SKU the products' listings can have: their variants' and their parent's."""
    skus = set()
    for snapshot in snapshots:
        data = snapshot.data or {}
        skus.add(parent_sku_for(data))
        skus.update(v["sku"] for v in data.get("variants", []) if v.get("sku"))
    return skus


def _change(row: Listing, plan, attributes: tuple[str, ...] | None) -> _Change | None:
    """The patches that bring a live listing to its new plan, or None (nothing changed, or the
    plan has problems: the listing keeps its last good content and the page shows why)."""
    row.local_problems = [p.to_dict() for p in plan.problems]
    if not plan.ok:
        return None
    sent = row.payload.get("attributes") or {}
    old = {k: v for k, v in sent.items() if k != STOCK_ATTRIBUTE}
    new = {k: v for k, v in plan.payload["attributes"].items() if k != STOCK_ATTRIBUTE}
    if attributes is not None:
        old = {k: v for k, v in old.items() if k in attributes}
        new = {k: v for k, v in new.items() if k in attributes}
    patches = patches_for(old, new)
    if not patches:
        return None
    payload = plan.payload
    if STOCK_ATTRIBUTE in sent:  # the quantity is jobs.stock's: keep what it last sent
        attributes_sent = {**payload["attributes"], STOCK_ATTRIBUTE: sent[STOCK_ATTRIBUTE]}
        payload = {**payload, "attributes": attributes_sent}
    breakdown = plan.price_breakdown
    return _Change(row.id, row.sku, row.product_type, patches, payload,
                   breakdown.price if breakdown else row.price,
                   breakdown.text if breakdown else row.price_breakdown)  # fmt: skip


def _send(shop: Shop, target: TargetMarketplace, changes: list[_Change]) -> int:
    if not changes:
        return 0
    seller = seller_for(shop.id, target.marketplace_id)
    refused: list[tuple[_Change, list[dict]]] = []
    if len(changes) > FEED_THRESHOLD:
        messages = [
            feed_message(i, change.sku, "PATCH", change.product_type, patches=change.patches)
            for i, change in enumerate(changes, start=1)
        ]
        # Amazon's feed rules (5 per 5 minutes per region, the createFeed bucket) hold for these
        # feeds as for publish and stock feeds: a re-pricing sends one per marketplace.
        wait_for_feed_slot(seller)
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
        for change in changes:
            log.info(
                "patch %s on %s: %s",
                change.sku,
                target.marketplace_id,
                ", ".join(p["path"] for p in change.patches),
                extra={"shop_id": shop.id},
            )
            answer = seller.patch_listing(
                target.marketplace_id, change.sku, change.product_type, change.patches
            )
            if answer.get("status") == "INVALID":  # HTTP 200, but nothing changed on Amazon
                refused.append((change, answer.get("issues") or []))
    # By primary key in one statement, never through the loaded rows (a commit expired them).
    # A refused patch keeps the last payload Amazon accepted, so the next sync sends it again.
    not_sent = {c.listing_id for c, _ in refused}
    accepted = [
        {"id": c.listing_id, "payload": c.payload, "price": c.price,
         "price_breakdown": c.price_breakdown}
        for c in changes if c.listing_id not in not_sent
    ]  # fmt: skip
    if accepted:
        db.session.execute(update(Listing), accepted)
    if refused:
        db.session.execute(
            update(Listing), [{"id": c.listing_id, "amazon_issues": i} for c, i in refused]
        )
    for change, issues in refused:
        codes = ", ".join(sorted({str(i.get("code")) for i in issues})) or "no code"
        raise_alert(shop.id, "listing_update_refused",
                    f"Amazon refused the update of {change.sku} on {target.marketplace_id} "
                    f"({codes}): it keeps the last price and content it accepted",
                    details={"sku": change.sku, "marketplace_id": target.marketplace_id,
                             "issues": issues[:5]})  # fmt: skip
    db.session.commit()
    return len(changes) - len(refused)


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
