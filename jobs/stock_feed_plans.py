"""What a stock drain sends how: sell-outs first by patch, feeds per marketplace, and what waits.

A value that can oversell (a quantity falling to zero, the store at or under the safety buffer)
must not wait minutes for a feed to be processed: it goes first, by single patch, whatever the
feed window's state. What a region cannot send by feed now (its 5 feeds in 5 minutes spent, or
the seller's createFeed budget) waits for the soonest way out Amazon's limits allow: single
patches when they would all be sent before a feed slot frees, else the next feed then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import update

from core.db import db
from core.models import Listing, TargetMarketplace
from core.redis import get_redis
from integrations.amazon.errors import AmazonApiError, AmazonTemporaryError
from integrations.amazon.listings import quantity_patch
from integrations.amazon.ratelimit import SAFETY
from jobs.amazon import AmazonSeller, seller_for
from jobs.stock import enqueue_feed_drain, enqueue_sync, pending_key
from mapping.payloads import feed_message

log = logging.getLogger("crossport.jobs")

# Sell-outs patched before the feeds go: at most what the patch budget sends in this many
# seconds (50 at Amazon's 5/s), so that a flash sale's thousand sell-outs do not hold the feeds
# that carry them as well; the rest go in the feeds.
SELL_OUT_PATCH_SECONDS = 10.0
# The follow-up drain of values waiting for a region's feed window (deterministic id suffix).
WINDOW = ":window"


@dataclass
class Change:
    listing_id: int
    sku: str
    product_type: str | None
    quantity: int
    was: int | None  # the quantity Amazon holds from Crossport (None: unknown)

    @property
    def sells_out(self) -> bool:
        return self.quantity == 0 and self.was != 0


@dataclass
class FeedPlan:
    """One marketplace's changes, sent as one JSON_LISTINGS_FEED of PATCH messages."""

    target: TargetMarketplace
    changes: list[Change]

    def messages(self) -> list[dict]:
        return [
            feed_message(
                number, c.sku, "PATCH", c.product_type, patches=[quantity_patch(c.quantity)]
            )
            for number, c in enumerate(self.changes, start=1)
        ]


@dataclass
class RegionWait:
    """A region whose feeds cannot go now: for how long at least, why, and what waits."""

    region: str
    seconds: float
    reason: str
    plans: list[FeedPlan] = field(default_factory=list)

    @property
    def values(self) -> int:
        return sum(len(p.changes) for p in self.plans)


class Sellers:
    """One client per seller account for the whole drain: each builds its HTTP clients."""

    def __init__(self, shop_id: int):
        self.shop_id = shop_id
        self._by_account: dict[int, AmazonSeller] = {}

    def of(self, target: TargetMarketplace) -> AmazonSeller:
        if target.account_id not in self._by_account:
            self._by_account[target.account_id] = seller_for(self.shop_id, target.marketplace_id)
        return self._by_account[target.account_id]


def patch_sell_outs(plans: list[FeedPlan], sellers: Sellers) -> int:
    """Send each sell-out of the plans by single patch now and take it out of its plan's feed.
    A patch Amazon refuses leaves its change in the feed. Returns the patches sent."""
    sent = 0
    allowance: dict[str, int] = {}
    for plan in plans:
        seller = sellers.of(plan.target)
        if seller.seller_id not in allowance:
            rate, _ = seller.client.limiter.plan(seller.seller_id, "patchListingsItem")
            allowance[seller.seller_id] = int(rate * SAFETY * SELL_OUT_PATCH_SECONDS) + 1
        kept = []
        for change in plan.changes:
            if not change.sells_out or allowance[seller.seller_id] <= 0:
                kept.append(change)
                continue
            allowance[seller.seller_id] -= 1
            try:
                seller.set_quantity(plan.target.marketplace_id, change.sku,
                                    change.product_type or "PRODUCT", 0)  # fmt: skip
            except (AmazonApiError, AmazonTemporaryError) as exc:
                log.warning("sell-out of %s on %s left to the feed: %s", change.sku,
                            plan.target.marketplace_id, exc)  # fmt: skip
                kept.append(change)
                continue
            db.session.execute(
                update(Listing).where(Listing.id == change.listing_id).values(quantity_sent=0)
            )
            db.session.commit()
            sent += 1
        plan.changes = kept
    return sent


def carry_the_waiting(shop_id: int, waits: list[RegionWait], sellers: Sellers) -> list[str]:
    """Hand the waiting values to single patches when the patch budget sends them all before
    the soonest feed slot frees, else to a drain at that moment. Returns the run row's
    sentences: which region waits, why, and how its values go."""
    soonest = min(w.seconds for w in waits)
    values = sum(w.values for w in waits)
    seller = sellers.of(waits[0].plans[0].target)
    rate, _ = seller.client.limiter.plan(seller.seller_id, "patchListingsItem")
    ready = seller.client.limiter.available(seller.seller_id, "patchListingsItem")
    patch_seconds = max(0, values - ready) / (rate * SAFETY)
    skus = sorted({c.sku for w in waits for p in w.plans for c in p.changes})
    by_patch = patch_seconds <= soonest
    if by_patch:
        for sku in skus:  # each SKU's job skips the marketplaces the feeds already carried
            enqueue_sync(shop_id, sku)
    else:
        redis = get_redis()
        redis.sadd(pending_key(shop_id), *skus)
        redis.expire(pending_key(shop_id), 3600)
        enqueue_feed_drain(shop_id, delay_seconds=soonest, suffix=WINDOW)
    story = []
    for wait in waits:
        markets = ", ".join(p.target.marketplace_id for p in wait.plans)
        how = (
            f"by single patch (about {patch_seconds:.0f} s at the patch rate, sooner than a feed)"
            if by_patch
            else f"by the next feed, in {soonest:.0f} s (single patches would take "
            f"{patch_seconds:.0f} s)"
        )
        story.append(
            f"{wait.region} waits {wait.seconds:.0f} s for a feed: {wait.reason}; "
            f"its {wait.values} values ({markets}) go {how}"
        )
    return story
