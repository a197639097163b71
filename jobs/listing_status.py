"""Read listings back from Amazon: status (buyable or not) and issues that appeared later."""

from __future__ import annotations

from core.db import db
from core.models import Listing
from jobs.alerts import raise_alert
from jobs.amazon import seller_for

BATCH = 20  # searchListingsItems takes 20 SKUs per call
SWEEP_LIMIT = 400  # per marketplace per run: a share of 5 calls/s, leaving room for edits


def refresh_statuses(shop_id: int, marketplace_id: str) -> int:
    """Promote accepted listings to active when Amazon sells them; record issues found later."""
    rows = (
        db.session.query(Listing)
        .filter(
            Listing.shop_id == shop_id,
            Listing.marketplace_id == marketplace_id,
            Listing.status.in_(("submitted", "active")),
        )
        .order_by(Listing.status != "submitted", Listing.updated_at)  # waiting ones first
        .limit(SWEEP_LIMIT)
        .all()
    )
    if not rows:
        return 0
    seller = seller_for(shop_id, marketplace_id)
    by_sku = {row.sku: row for row in rows}
    changed = 0
    for start in range(0, len(rows), BATCH):
        skus = [row.sku for row in rows[start : start + BATCH]]
        for item in seller.search_listings(marketplace_id, skus):
            row = by_sku.get(item.get("sku"))
            if row is None:
                continue
            summary = next(iter(item.get("summaries") or []), {})
            statuses = summary.get("status") or []
            issues = item.get("issues") or []
            # live once shoppers can find it: a variation parent, or an offer out of stock,
            # is DISCOVERABLE without being BUYABLE
            live = "BUYABLE" in statuses or "DISCOVERABLE" in statuses
            new_status = "active" if live else row.status
            if any(i.get("severity") == "ERROR" for i in issues):
                new_status = "error"
                if row.status != "error":
                    raise_alert(
                        shop_id,
                        "listing_issue",
                        f"{row.sku} on {marketplace_id}: {issues[0].get('message', '')}",
                        details={"sku": row.sku, "code": issues[0].get("code")},
                    )
            if summary.get("asin"):
                row.asin = summary["asin"]
            if new_status != row.status or issues != row.amazon_issues:
                row.status, row.amazon_issues = new_status, issues
                changed += 1
    db.session.commit()
    waiting = (
        db.session.query(Listing.id)
        .filter_by(shop_id=shop_id, marketplace_id=marketplace_id, status="submitted")
        .first()
    )
    if waiting is not None:
        _check_again(shop_id, marketplace_id)
    return changed


def request_status_refresh(shop_id: int, marketplace_id: str, delay_seconds: float = 0) -> None:
    """Queue one read-back of a marketplace's listings (coalesced per shop and marketplace)."""
    from jobs.queues import enqueue

    enqueue(
        "jobs.listing_status.refresh_statuses",
        shop_id,
        marketplace_id,
        queue="listings",
        job_id=f"statuses:{shop_id}:{marketplace_id}",
        title="Read listing statuses from Amazon",
        shop_id=shop_id,
        delay_seconds=delay_seconds,
    )


def _check_again(shop_id: int, marketplace_id: str) -> None:
    """Accepted listings usually turn buyable within minutes: look again, a bounded number of
    times (the reconciliation sweep covers anything slower)."""
    from core.redis import get_redis
    from core.redis import key as redis_key

    key = redis_key("status-checks", shop_id, marketplace_id)
    redis = get_redis()
    checks = redis.incr(key)
    redis.expire(key, 3600)
    if checks <= 60:
        request_status_refresh(shop_id, marketplace_id, delay_seconds=min(30, 2 + checks))
