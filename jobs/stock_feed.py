"""A stock backlog too large for single calls goes to Amazon as one PATCH feed per marketplace."""

from __future__ import annotations

import logging
import time

from rq import get_current_job
from sqlalchemy import update

from core.db import db, utcnow
from core.models import JobRun, Listing, Shop, TargetMarketplace, VariantSnapshot
from core.redis import get_redis
from core.redis import key as redis_key
from integrations.amazon.errors import AmazonThrottled
from jobs.amazon import AmazonSeller, seller_for
from jobs.feed_window import (
    FEEDS_PER_WINDOW,
    free_feed_slots,
    note_window_spent,
    reserve_feed_slot,
)
from jobs.feeds import record_patch_feed
from jobs.runs import finish_run, record_failure
from jobs.stock import (
    FEED_DEBOUNCE_SECONDS,
    FEED_LONG_WAIT_SECONDS,
    LATER,
    LIVE_STATUSES,
    buffer_for,
    burst_keys,
    enqueue_feed_drain,
    feed_burst_keys,
    pending_key,
    seconds_until_due,
    skus_of_deleted_products,
)
from jobs.stock_feed_plans import (
    Change,
    FeedPlan,
    RegionWait,
    Sellers,
    carry_the_waiting,
    patch_sell_outs,
)
from jobs.stores import store_for

log = logging.getLogger("crossport.jobs")

STORE_BATCH = 100
HOLD_SECONDS = 3.0  # the longest a drain waits for its burst in place, holding its worker


def sync_stock_feed(shop_id: int) -> dict[str, int]:
    """Drain the shop's waiting stock changes: read the store once, send one feed per market.

    A feed per marketplace needs one createFeed each, and Amazon allows a burst of 15, then
    one every two minutes, and 5 feeds per region in any 5 minutes. Sell-outs go first by
    single patch; a region that cannot take its feeds now (by Crossport's count or by Amazon's
    429) waits alone, its values carried by single patches or by a feed when its window frees,
    whichever Amazon's limits make sooner (jobs/stock_feed_plans.py); the run row says which.
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
    with get_redis().lock(redis_key("stock-feed-lock", shop_id), timeout=600, blocking_timeout=600):
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
    run = _run_row(shop_id, len(skus))
    try:
        sent, story = _send(shop, skus)
    except Exception as exc:
        record_failure(run.id, exc)
        raise  # RQ retries it; the draining set is merged into the next drain
    redis.delete(draining_key)
    finish_run(run, "; ".join(story))
    log.info("stock feed: %s", "; ".join(story), extra={"shop_id": shop_id})
    return sent


def _run_row(shop_id: int, skus: int) -> JobRun:
    """The row saying what this drain sent and what waits, and why. Drains share their job id
    (one waiting per shop), so a finished drain's row is never resumed: only a retried one's."""
    job = get_current_job()
    run = None
    if job is not None:
        run = (
            db.session.query(JobRun)
            .filter(JobRun.rq_job_id == job.id, JobRun.status.in_(("running", "retrying")))
            .one_or_none()
        )
    if run is None:
        run = JobRun(kind="stock_feed", shop_id=shop_id, title="Stock of many SKUs (feed)",
                     attempts=0, total=0, done=0, failed=0,
                     rq_job_id=job.id if job else None)  # fmt: skip
        db.session.add(run)
    run.status, run.total, run.started_at = "running", skus, utcnow()
    run.attempts += 1
    db.session.commit()
    return run


def _send(shop: Shop, skus: list[str]) -> tuple[dict[str, int], list[str]]:
    """Read the store once, patch the sell-outs, send one feed per marketplace whose region
    allows it now, and hand what waits to the soonest way out. Returns what the feeds carried
    per marketplace and the sentences of the run row."""
    shop_id = shop.id
    redis = get_redis()
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
    sellers = Sellers(shop_id)
    story: list[str] = []
    sold_out = patch_sell_outs(plans, sellers)
    if sold_out:
        story.append(f"{sold_out} sell-outs sent first by single patch")
    sent: dict[str, int] = {}
    waits: dict[tuple[str, str], RegionWait] = {}
    budgets: dict[str, int] = {}
    for plan in sorted(plans, key=lambda p: -len(p.changes)):
        if not plan.changes:
            continue  # every change of it was a sell-out, already patched
        seller = sellers.of(plan.target)
        region = (seller.seller_id, seller.account.region)
        if region in waits:
            waits[region].plans.append(plan)
            continue
        wait = _feed_now(seller, budgets, plan)
        if wait is not None:
            waits[region] = wait
            continue
        sent[plan.target.marketplace_id] = len(plan.changes)
    if sent:
        story.append("feeds sent: " + ", ".join(f"{m} {n}" for m, n in sent.items()))
    if waits:
        story += carry_the_waiting(shop_id, list(waits.values()), sellers)
    return sent, story or ["nothing to send"]


def _feed_now(seller: AmazonSeller, budgets: dict[str, int], plan: FeedPlan) -> RegionWait | None:
    """Send the plan's feed, or say how long its region waits and why (the plan waits with it).

    A refusal costs the plan's region only: the seller's createFeed budget is left as it is, and
    the region's window is counted full, as Amazon's 429 says it is."""
    region = seller.account.region
    budget = budgets.setdefault(seller.seller_id, seller.feeds_available())
    if budget <= 0:
        rate, _ = seller.client.limiter.plan(seller.seller_id, "createFeed")
        return RegionWait(region, 1 / rate, "the seller's createFeed budget is spent", [plan])
    slot_wait = reserve_feed_slot(seller.seller_id, region)
    if slot_wait > 0:
        reason = f"its {FEEDS_PER_WINDOW} feeds in 5 minutes are spent"
        return RegionWait(region, slot_wait, reason, [plan])
    budgets[seller.seller_id] = budget - 1
    try:
        feed_id = seller.submit_feed(plan.target.marketplace_id, plan.messages(),
                                     retry_throttled=False)  # fmt: skip
    except AmazonThrottled:
        # Amazon counts feeds Crossport's Redis did not see (a restart, another tool): trust it.
        wait = note_window_spent(seller.seller_id, region)
        reason = (f"Amazon refused its feed (429 QuotaExceeded): its {FEEDS_PER_WINDOW} feeds "
                  "in 5 minutes are spent")  # fmt: skip
        return RegionWait(region, wait, reason, [plan])
    # By primary key, never through the loaded rows: a commit expires them, and each row
    # touched after one would be read back from the database one by one.
    db.session.execute(
        update(Listing),
        [{"id": c.listing_id, "quantity_sent": c.quantity} for c in plan.changes],
    )
    db.session.commit()
    message_skus = {str(i): c.sku for i, c in enumerate(plan.changes, start=1)}
    record_patch_feed(
        plan.target.shop_id, plan.target.marketplace_id, feed_id, "stockfeed", message_skus
    )
    return None


def _feeds_by_marketplace(
    shop: Shop, skus: list[str], available: dict, variants: dict
) -> list[FeedPlan]:
    """A plan per enabled marketplace with changes: each live FBM listing whose quantity differs."""
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
        changes = []
        for row in rows:
            quantity = max(
                0, available.get(row.sku, 0) - buffer_for(shop, target, variants.get(row.sku))
            )
            if row.quantity_sent != quantity:
                changes.append(Change(row.id, row.sku, row.product_type, quantity,
                                      row.quantity_sent))  # fmt: skip
        if changes:
            plans.append(FeedPlan(target, changes))
    return plans
