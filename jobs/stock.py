"""Stock in step: the store's available quantity, minus a safety buffer, on every FBM listing.

A burst of store changes to one SKU is coalesced into one job (deterministic job id, a short
debounce), which reads the latest quantity from the store when it runs; a no-op is skipped, so
a burst costs at most one call per marketplace carrying the last value.
"""

from __future__ import annotations

import logging
import time

from rq.job import Job

from core.db import db, utcnow
from core.models import (
    Alert,
    Listing,
    ProductSnapshot,
    Shop,
    TargetMarketplace,
    VariantSnapshot,
)
from core.redis import get_redis
from core.redis import key as redis_key
from jobs.alerts import raise_alert
from jobs.amazon import seller_for
from jobs.queues import enqueue, safe_job_id
from jobs.stores import store_for

log = logging.getLogger("crossport.jobs")

# A burst of changes to one SKU is gathered for DEBOUNCE seconds after the latest change, but
# never longer than MAX_WAIT after the first: one call carries the last value. A single change
# waits DEBOUNCE (well inside the 2 s latency aim); only a SKU hammered for seconds waits longer.
DEBOUNCE_SECONDS = 0.5
MAX_WAIT_SECONDS = 3.0
# More SKUs waiting than single patches drain within seconds (patchListingsItem: 5/s per seller,
# shared by every marketplace: 20 SKUs in 8 marketplaces take 32 s) go as one feed per
# marketplace. Feeds are scarce too (createFeed: a burst of 15, then one per 2 minutes), so a
# trickle of changes keeps using patches and only a burst switches to feeds, and the feed drain
# is debounced for the whole shop, so that one burst costs one feed per marketplace, not one per
# marketplace for every handful of SKUs.
# While feeds are plentiful, a drain waits for a quiet half second, at most 3 s. When the budget no
# longer holds two drains (one feed per marketplace each), a drain now would leave the rest of a
# long burst to single patches for minutes; it waits for the burst to end instead (at most
# FEED_LONG_WAIT), so that one drain carries it all.
FEED_BACKLOG = 20
FEED_DEBOUNCE_SECONDS = 0.5
FEED_MAX_WAIT_SECONDS = 3.0
FEED_LONG_WAIT_SECONDS = 60.0
LIVE_STATUSES = ("submitted", "active")


def latency_key(shop_id: int) -> str:
    """The shop's latest receipt-to-Amazon stock latencies (ms), newest first."""
    return redis_key("stock-latency", shop_id)


def burst_keys(shop_id: int, sku: str) -> tuple[str, str]:
    return (redis_key("stock-first", shop_id, sku), redis_key("stock-due", shop_id, sku))


def pending_key(shop_id: int) -> str:
    """The set of the shop's SKUs whose stock is waiting to be sent."""
    return redis_key("stock-pending", shop_id)


def feed_burst_keys(shop_id: int) -> tuple[str, str, str]:
    """When the shop's backlog began, when its drain is due, and its latest request."""
    return tuple(redis_key(f"stock-feed-{part}", shop_id) for part in ("first", "due", "last"))


SKU_JOB = "inventory:{shop_id}:{sku}"
FEED_JOB = "inventory-feed:{shop_id}"

# The bookkeeping of one request in one round trip (it runs for every webhook, on its receipt):
# move the SKU's debounce, add it to the shop's waiting set, move the shop's feed debounce when
# the set is a backlog, and say whether the job that will act is already waiting in RQ, so that
# the common case of a burst (a job already waiting) costs nothing more.
# KEYS: sku first, sku due, pending set, feed first, feed due, feed last, sku job, feed job
# ARGV: now, sku debounce, sku max wait, sku, backlog size, feed debounce, feed max wait
_REQUEST_SCRIPT = """
local now = tonumber(ARGV[1])
local function debounce(first_key, due_key, wait, max_wait)
  redis.call('SET', first_key, ARGV[1], 'NX', 'EX', 300)
  local first = tonumber(redis.call('GET', first_key))
  local due = math.min(first + tonumber(max_wait), now + tonumber(wait))
  redis.call('SET', due_key, string.format('%.3f', due), 'EX', 300)
end
local function waiting(job_key)
  local status = redis.call('HGET', job_key, 'status')
  return status == 'queued' or status == 'scheduled' or status == 'deferred'
end
debounce(KEYS[1], KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[3], 3600)
if redis.call('SCARD', KEYS[3]) > tonumber(ARGV[5]) then
  debounce(KEYS[4], KEYS[5], ARGV[6], ARGV[7])
  redis.call('SET', KEYS[6], ARGV[1], 'EX', 300)
  if waiting(KEYS[8]) then return 'feed-waiting' end
  return 'feed'
end
if waiting(KEYS[7]) then return 'sku-waiting' end
return 'sku'
"""


def request_stock_sync(shop_id: int, sku: str) -> None:
    """Ask for the SKU's stock to be pushed; repeated requests in a burst become one job, and a
    backlog of many SKUs becomes one feed drain."""
    redis = get_redis()
    keys = (
        *burst_keys(shop_id, sku),
        pending_key(shop_id),
        *feed_burst_keys(shop_id),
        Job.key_for(safe_job_id(SKU_JOB.format(shop_id=shop_id, sku=sku))),
        Job.key_for(safe_job_id(FEED_JOB.format(shop_id=shop_id))),
    )
    args = (f"{time.time():.3f}", DEBOUNCE_SECONDS, MAX_WAIT_SECONDS, sku, FEED_BACKLOG,
            FEED_DEBOUNCE_SECONDS, FEED_MAX_WAIT_SECONDS)  # fmt: skip
    outcome = redis.register_script(_REQUEST_SCRIPT)(keys=keys, args=args).decode()
    if outcome == "feed":
        enqueue_feed_drain(shop_id)  # it waits for the burst itself, to the tenth of a second
    elif outcome == "sku":
        enqueue_sync(shop_id, sku, delay_seconds=DEBOUNCE_SECONDS)


# A job that finds its burst not over yet queues itself again under this suffix: its own id is
# still taken while it runs, and the suffixed one is still deterministic (one follow-up at most).
LATER = ":later"


def enqueue_feed_drain(shop_id: int, delay_seconds: float = 0, suffix: str = "") -> None:
    """The shop's feed drain; one waiting job per shop (its id is deterministic)."""
    enqueue(
        "jobs.stock_feed.sync_stock_feed",
        shop_id,
        queue="sync",
        job_id=FEED_JOB.format(shop_id=shop_id) + suffix,
        title="Stock of many SKUs (feed)",
        shop_id=shop_id,
        delay_seconds=delay_seconds,
    )


def enqueue_sync(shop_id: int, sku: str, delay_seconds: float = 0, suffix: str = "") -> None:
    """The SKU's own sync job; one waiting job per SKU (its id is deterministic)."""
    enqueue(
        "jobs.stock.sync_stock",
        shop_id,
        sku,
        queue="sync",
        job_id=SKU_JOB.format(shop_id=shop_id, sku=sku) + suffix,
        title=f"Stock of {sku}",
        shop_id=shop_id,
        delay_seconds=delay_seconds,
    )


def buffer_for(shop: Shop, marketplace: TargetMarketplace, variant: VariantSnapshot | None) -> int:
    """Safety buffer: the SKU's own, else the marketplace's, else the shop's default."""
    if variant is not None and (variant.data or {}).get("safety_buffer") is not None:
        return int(variant.data["safety_buffer"])
    if marketplace.safety_buffer is not None:
        return marketplace.safety_buffer
    return int((shop.settings or {}).get("safety_buffer", 0))


def sync_stock(shop_id: int, sku: str) -> dict[str, int]:
    """Push `available − buffer` to each marketplace where the SKU is listed seller-fulfilled."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        return {}
    redis = get_redis()
    first_key, due_key = burst_keys(shop_id, sku)
    if _left_to_the_feed_drain(redis, shop_id, sku):
        return {}
    wait = seconds_until_due(redis, due_key)
    if wait > 0:
        enqueue_sync(shop_id, sku, delay_seconds=wait, suffix=LATER)
        return {}
    # One flush of a SKU at a time: two jobs of one burst (the first and its follow-up) would
    # otherwise both read the old quantity_sent and both send the same value.
    with redis.lock(redis_key("stock-lock", shop_id, sku), timeout=300, blocking_timeout=120):
        return _flush(shop, sku, redis.get(first_key))


def _left_to_the_feed_drain(redis, shop_id: int, sku: str) -> bool:
    """A SKU still waiting in a backlog goes with the shop's feed drain (requested when the
    backlog formed), not as single patches that would spend the patch budget on it as well.
    The drain takes the SKU out of the waiting set, so the job it hands a SKU back to (when
    the feed budget is spent) sends it."""
    with redis.pipeline(transaction=False) as reading:
        reading.sismember(pending_key(shop_id), sku)
        reading.scard(pending_key(shop_id))
        waiting, size = reading.execute()
    return bool(waiting) and size > FEED_BACKLOG


def seconds_until_due(redis, due_key: str) -> float:
    """Seconds until a burst's debounce ends (0 when it may be flushed now).

    The burst keys are set when the webhook is received (see jobs.webhooks), so a backlog of
    events waiting for a worker neither ends a burst early nor delays its flush.
    """
    due = redis.get(due_key)
    wait = float(due) - time.time() if due is not None else 0.0
    return wait if wait > 0.05 else 0.0


def _flush(shop: Shop, sku: str, requested_at: bytes | None) -> dict[str, int]:
    redis = get_redis()
    shop_id = shop.id
    redis.delete(*burst_keys(shop_id, sku))
    redis.srem(pending_key(shop_id), sku)
    available = store_for(shop).get_stock([sku]).get(sku)
    if available is None:
        log.info("stock sync: %s no longer in the store", sku, extra={"shop_id": shop_id})
        available = 0
    if sku in skus_of_deleted_products(shop_id, [sku]):
        available = 0
    variant = db.session.query(VariantSnapshot).filter_by(shop_id=shop_id, sku=sku).first()
    if variant is not None:
        variant.quantity = available
    targets = _fbm_listings(shop_id, sku)
    # Short transactions: no write lock may be held across a call to Amazon (SQLite has one).
    db.session.commit()
    sent = {}
    for done, (listing, marketplace) in enumerate(targets):
        quantity = max(0, available - buffer_for(shop, marketplace, variant))
        if listing.quantity_sent == quantity:
            continue  # no-op: Amazon already has this value
        seller = seller_for(shop_id, listing.marketplace_id)
        if _drain_takes_the_rest(redis, shop_id, sku, seller, len(targets) - done):
            break
        answer = seller.set_quantity(
            listing.marketplace_id, sku, listing.product_type or "PRODUCT", quantity
        )
        if answer.get("status") == "INVALID":
            _refused(shop, listing, quantity, answer.get("issues") or [])
            continue  # quantity_sent stays: Amazon still sells the old value, the next sync retries
        listing.quantity_sent = quantity
        db.session.commit()
        sent[listing.marketplace_id] = quantity
        log.info(
            "stock of %s on %s: %d",
            sku,
            listing.marketplace_id,
            quantity,
            extra={"shop_id": shop_id},
        )
        if requested_at is not None:
            latency_ms = int((time.time() - float(requested_at)) * 1000)
            redis.lpush(latency_key(shop_id), latency_ms)
            redis.ltrim(latency_key(shop_id), 0, 999)
    _low_stock_alert(shop, sku, available)
    db.session.commit()
    return sent


def _refused(shop: Shop, listing: Listing, quantity: int, issues: list[dict]) -> None:
    """Amazon answered the quantity patch INVALID (HTTP 200): nothing changed on Amazon. The
    listing shows Amazon's issues and the seller gets an alert, since Amazon may go on selling a
    quantity the store no longer has."""
    listing.amazon_issues = issues
    codes = ", ".join(sorted({str(i.get("code")) for i in issues})) or "no code"
    raise_alert(shop.id, "stock_refused",
                f"Amazon refused the stock of {listing.sku} on {listing.marketplace_id} ({codes}): "
                f"it still sells the last quantity it accepted, not {quantity}",
                details={"sku": listing.sku, "marketplace_id": listing.marketplace_id,
                         "quantity": quantity, "issues": issues[:5]})  # fmt: skip
    db.session.commit()
    log.warning("stock of %s on %s refused by Amazon (%s)", listing.sku, listing.marketplace_id,
                codes, extra={"shop_id": shop.id})  # fmt: skip


def _drain_takes_the_rest(redis, shop_id: int, sku: str, seller, remaining: int) -> bool:
    """A backlog formed while this SKU was being patched: its remaining marketplaces go with the
    shop's feed drain instead, and the worker is freed for that drain. Patching at 5 a second,
    three SKU jobs of eight marketplaces each held every worker for seconds while the drain that
    would carry the whole backlog waited behind them. Only when Amazon's createFeed budget can
    take the feeds now: otherwise the drain would hand the SKU back to patches."""
    if remaining < 2 or redis.scard(pending_key(shop_id)) <= FEED_BACKLOG:
        return False
    if seller.feeds_available() < remaining:
        return False
    redis.sadd(pending_key(shop_id), sku)
    enqueue_feed_drain(shop_id)  # the waiting one, or one follow-up of the one running
    log.info("stock of %s: %d marketplaces left to the feed drain", sku, remaining,
             extra={"shop_id": shop_id})  # fmt: skip
    return True


def skus_of_deleted_products(shop_id: int, skus: list[str]) -> set[str]:
    """Those of `skus` whose product the store confirmed deleted (gone, in the trash, archived):
    they sell 0 on Amazon whatever quantity the store still reports for them (a trashed
    product keeps its stock, and so may its variations)."""
    rows = (
        db.session.query(VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(VariantSnapshot.shop_id == shop_id, VariantSnapshot.sku.in_(skus))
        .filter(ProductSnapshot.deleted.is_(True))
    )
    return {sku for (sku,) in rows}


def zero_stock_for_product(shop_id: int, product_id: str) -> None:
    """A product deleted in the store must not stay buyable on Amazon: its SKUs' stock syncs
    send 0 (see skus_of_deleted_products) once the snapshot is marked deleted."""
    skus = (
        db.session.query(VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(ProductSnapshot.shop_id == shop_id, ProductSnapshot.external_id == product_id)
        .all()
    )
    for (sku,) in skus:
        request_stock_sync(shop_id, sku)


def _fbm_listings(shop_id: int, sku: str):
    return (
        db.session.query(Listing, TargetMarketplace)
        .join(
            TargetMarketplace,
            (TargetMarketplace.shop_id == Listing.shop_id)
            & (TargetMarketplace.marketplace_id == Listing.marketplace_id),
        )
        .filter(Listing.shop_id == shop_id, Listing.sku == sku)
        .filter(Listing.status.in_(LIVE_STATUSES))
        .filter(Listing.fulfillment_channel == "FBM", TargetMarketplace.enabled.is_(True))
        .all()
    )


def _low_stock_alert(shop: Shop, sku: str, available: int) -> None:
    threshold = int((shop.settings or {}).get("low_stock_threshold", 0))
    if threshold <= 0 or available > threshold:
        return
    open_alert = (
        db.session.query(Alert)
        .filter_by(shop_id=shop.id, kind="low_stock", resolved_at=None)
        .filter(Alert.message.contains(sku))
        .first()
    )
    if open_alert is None:
        db.session.add(
            Alert(
                shop_id=shop.id,
                kind="low_stock",
                severity="warning",
                message=f"{sku}: {available} left in the store",
                details={"sku": sku},
                created_at=utcnow(),
            )
        )
