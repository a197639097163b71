"""A stock backlog too large for single calls goes to Amazon as one PATCH feed per marketplace."""

from __future__ import annotations

import logging
import time

from sqlalchemy import update

from core.db import db
from core.models import Listing, Shop, TargetMarketplace, VariantSnapshot
from core.redis import get_redis
from core.redis import key as redis_key
from integrations.amazon.listings import quantity_patch
from jobs.amazon import AmazonSeller, seller_for
from jobs.feed_window import free_feed_slots, reserve_feed_slot
from jobs.feeds import record_patch_feed
from jobs.stock import (
    FEED_DEBOUNCE_SECONDS,
    FEED_LONG_WAIT_SECONDS,
    LATER,
    LIVE_STATUSES,
    buffer_for,
    burst_keys,
    enqueue_feed_drain,
    enqueue_sync,
    feed_burst_keys,
    pending_key,
    seconds_until_due,
    skus_of_deleted_products,
)
from jobs.stores import store_for
from mapping.payloads import feed_message

log = logging.getLogger("crossport.jobs")

STORE_BATCH = 100
HOLD_SECONDS = 3.0  # the longest a drain waits for its burst in place, holding its worker


def sync_stock_feed(shop_id: int) -> dict[str, int]:
    """Drain the shop's waiting stock changes: read the store once, send one feed per market.

    A feed per marketplace needs one createFeed each, and Amazon allows a burst of 15, then
    one every two minutes. Marketplaces beyond what the budget allows right now are left to
    each SKU's own job (single patches, paced by the shared limiter), never to a queue of feeds
    that could wait for minutes.
    """
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        return {}
    # The burst is still arriving: one drain for all of it, a little later. A short wait is
    # slept here (RQ's scheduler moves delayed jobs once a second, which would add up to a
    # second per wait); a long one goes back to the scheduler, not to hold a worker.
    held_until = time.monotonic() + HOLD_SECONDS
    wait = _drain_wait(shop)
    while 0 < wait and time.monotonic() + wait <= held_until:
        time.sleep(wait)
        wait = _drain_wait(shop)
    if wait > 0:
        enqueue_feed_drain(shop_id, delay_seconds=wait, suffix=LATER)
        return {}
    # One drain at a time: a follow-up job queued while this one runs would read the same
    # waiting SKUs and send them all again.
    with get_redis().lock(
        redis_key("stock-feed-lock", shop_id), timeout=600, blocking_timeout=600
    ):
        return _drain(shop)


def _drain_wait(shop: Shop) -> float:
    """Seconds to wait before draining: until the backlog's debounce ends, and past its cap
    while the burst goes on and the feed budget no longer holds two drains."""
    redis = get_redis()
    first_key, due_key, last_key = feed_burst_keys(shop.id)
    wait = seconds_until_due(redis, due_key)
    if wait > 0:
        return wait
    first, last = redis.mget(first_key, last_key)
    if first is None or last is None:
        return 0.0
    now = time.time()
    arriving = now - float(last) < FEED_DEBOUNCE_SECONDS
    if arriving and now - float(first) < FEED_LONG_WAIT_SECONDS and not _feeds_to_spare(shop):
        return FEED_DEBOUNCE_SECONDS
    return 0.0


def _feeds_to_spare(shop: Shop) -> bool:
    """Whether Amazon's feed rules hold two drains right now: the createFeed budget (the selling
    partner's, shared by its regions' accounts) and each region's 5 feeds in 5 minutes."""
    markets_of: dict[str, list[str]] = {}
    per_region: dict[tuple[str, str], int] = {}
    for target in db.session.query(TargetMarketplace).filter_by(shop_id=shop.id, enabled=True):
        seller, region = target.account.selling_partner_id, target.account.region
        markets_of.setdefault(seller, []).append(target.marketplace_id)
        per_region[(seller, region)] = per_region.get((seller, region), 0) + 1
    for markets in markets_of.values():
        if seller_for(shop.id, markets[0]).feeds_available() < 2 * len(markets):
            return False
    return all(free_feed_slots(*key) >= 2 * count for key, count in per_region.items())


def _drain(shop: Shop) -> dict[str, int]:
    shop_id = shop.id
    redis = get_redis()
    redis.delete(*feed_burst_keys(shop_id))  # a change from now on starts the next drain's wait
    waiting_key = pending_key(shop_id)
    # The waiting SKUs move to a draining set in one step: a change requested meanwhile waits in
    # a fresh pending set for the next drain, and a run that fails leaves its SKUs to be merged
    # into the next one, so none is lost.
    draining_key = f"{waiting_key}:draining"
    with redis.pipeline(transaction=True) as moving:
        moving.sunionstore(draining_key, [draining_key, waiting_key])
        moving.delete(waiting_key)
        moving.expire(draining_key, 3600)
        moving.execute()
    skus = sorted(s.decode() for s in redis.smembers(draining_key))
    if not skus:
        return {}
    # The SKUs' own bursts end with this drain: the next change to one of them is a new burst.
    redis.delete(*(key for sku in skus for key in burst_keys(shop_id, sku)))
    store = store_for(shop)
    available: dict[str, int] = {}
    for start in range(0, len(skus), STORE_BATCH):
        available.update(store.get_stock(skus[start : start + STORE_BATCH]))
    available.update(dict.fromkeys(skus_of_deleted_products(shop_id, skus), 0))
    variants = {
        v.sku: v
        for v in db.session.query(VariantSnapshot).filter(
            VariantSnapshot.shop_id == shop_id, VariantSnapshot.sku.in_(skus)
        )
    }
    for sku, quantity in available.items():
        if sku in variants:
            variants[sku].quantity = quantity
    plans = _feeds_by_marketplace(shop, skus, available, variants)
    db.session.commit()
    sent: dict[str, int] = {}
    budgets: dict[str, int] = {}
    sellers: dict[int, AmazonSeller] = {}  # one client per account: each builds HTTP clients
    left_to_patches = False
    for target, rows, messages in sorted(plans, key=lambda p: -len(p[2])):
        if target.account_id not in sellers:
            sellers[target.account_id] = seller_for(shop_id, target.marketplace_id)
        seller = sellers[target.account_id]
        budget = budgets.setdefault(seller.seller_id, seller.feeds_available())
        if budget <= 0 or reserve_feed_slot(seller.seller_id, seller.account.region) > 0:
            left_to_patches = True  # Amazon would refuse this feed now: patches carry it
            continue
        budgets[seller.seller_id] = budget - 1
        feed_id = seller.submit_feed(target.marketplace_id, messages)
        # By primary key, never through the loaded rows: a commit expires them, and each row
        # touched after one would be read back from the database one by one.
        db.session.execute(
            update(Listing), [{"id": ident, "quantity_sent": quantity} for ident, quantity in rows]
        )
        db.session.commit()
        message_skus = {str(m["messageId"]): m["sku"] for m in messages}
        record_patch_feed(shop_id, target.marketplace_id, feed_id, "stockfeed", message_skus)
        sent[target.marketplace_id] = len(messages)
    if left_to_patches:
        for sku in skus:  # each SKU's job skips the marketplaces the feeds already carried
            enqueue_sync(shop_id, sku)
    redis.delete(draining_key)
    log.info(
        "stock feed: %s; single patches for the rest: %s",
        sent,
        left_to_patches,
        extra={"shop_id": shop_id},
    )
    return sent


def _feeds_by_marketplace(shop: Shop, skus: list[str], available: dict, variants: dict) -> list:
    """(target, [(listing id, quantity)], messages) per enabled marketplace with changes."""
    plans = []
    for target in db.session.query(TargetMarketplace).filter_by(shop_id=shop.id, enabled=True):
        rows = (  # only the columns needed: a whole row decodes its JSON documents too
            db.session.query(Listing.id, Listing.sku, Listing.product_type, Listing.quantity_sent)
            .filter(
                Listing.shop_id == shop.id,
                Listing.marketplace_id == target.marketplace_id,
                Listing.sku.in_(skus),
                Listing.status.in_(LIVE_STATUSES),
                Listing.fulfillment_channel == "FBM",
            )
            .all()
        )
        changes, messages = [], []
        for row in rows:
            quantity = max(
                0, available.get(row.sku, 0) - buffer_for(shop, target, variants.get(row.sku))
            )
            if row.quantity_sent == quantity:
                continue
            patches = [quantity_patch(quantity)]
            messages.append(
                feed_message(len(messages) + 1, row.sku, "PATCH", row.product_type, patches=patches)
            )
            changes.append((row.id, quantity))
        if messages:
            plans.append((target, changes, messages))
    return plans
