"""Publish: validate locally, then submit only what is valid — a trial run, a feed, or single calls.

`run_publish(run_id)` reads what to do from its JobRun row (made by the page):
details = {"product_ids": [snapshot ids], "marketplace_ids": [...],
           "mode": "validate" | "trial" | "publish", "trial_size": 10}
"""

from __future__ import annotations

import logging

from core.db import db, utcnow
from core.models import JobRun, Listing, ProductSnapshot, Shop, Submission, TargetMarketplace
from integrations.amazon.clock import amazon_wait
from jobs.amazon import seller_for
from jobs.feed_batches import FeedBatcher
from jobs.feed_window import wait_for_feed_slot
from jobs.feeds import enqueue_feed_poll
from jobs.fx_rates import rates_table
from jobs.listing_status import request_status_refresh
from jobs.plans import PlanCache, plans_for_product
from jobs.runs import finish_run, progress, record_failure
from mapping.listing import ListingPlan
from mapping.marketplaces import marketplace
from mapping.messages import N_, say
from mapping.payloads import feed_message, patches_for, published_quantity

log = logging.getLogger("crossport.jobs")

SINGLE_CALL_LIMIT = 20  # up to this many SKUs per marketplace go as putListingsItem calls
TRIAL_MIN, TRIAL_MAX = 10, 20


def run_publish(run_id: int) -> str:
    run = db.session.get(JobRun, run_id)
    if run is None:
        return "run gone"
    shop = db.session.get(Shop, run.shop_id)
    if shop is None or shop.status != "installed":
        return "shop gone"
    try:
        return _publish(run, shop)
    except Exception as exc:
        record_failure(run_id, exc)
        raise  # RQ records it and retries transient failures


def _publish(run: JobRun, shop: Shop) -> str:
    details = run.details or {}
    mode = details.get("mode", "validate")
    run.status, run.started_at, run.attempts = "running", utcnow(), (run.attempts or 0) + 1
    run.done = run.failed = 0
    db.session.commit()
    snapshots = _snapshots(shop, details.get("product_ids") or [])
    targets = _targets(shop, details.get("marketplace_ids") or [])
    # One cache for this run: each profile and schema read once, each product loaded once for
    # all its marketplaces (so the loop goes product by product).
    cache = PlanCache(shop, fetch_schema=True, rates=rates_table())
    plans_by_market: dict[str, list[ListingPlan]] = {t.marketplace_id: [] for t in targets}
    for snapshot in snapshots:
        for target in targets:
            plans_by_market[target.marketplace_id] += plans_for_product(
                shop, snapshot, target.marketplace_id, cache=cache
            )
    for plans in plans_by_market.values():
        _hold_orphans(plans)
    run.total = sum(len(p) for p in plans_by_market.values())
    db.session.commit()
    summary = {"valid": 0, "problems": 0, "sent": 0, "feeds": 0, "rejected": 0}
    for target in targets:
        plans = plans_by_market[target.marketplace_id]
        listings = _record_plans(shop, target, plans)
        valid = [p for p in plans if p.ok]
        summary["valid"] += len(valid)
        summary["problems"] += len(plans) - len(valid)
        progress(run, failed=len(plans) - len(valid), done=len(valid) if mode == "validate" else 0)
        if mode == "validate" or not valid:
            continue
        if mode == "trial":
            valid = _trial_selection(valid, int(details.get("trial_size") or TRIAL_MIN))
        if mode == "trial" or len(valid) <= SINGLE_CALL_LIMIT:
            sent, rejected = _send_single(shop, target, valid, listings, run)
            summary["sent"] += sent
            summary["rejected"] += rejected
            request_status_refresh(shop.id, target.marketplace_id, delay_seconds=amazon_wait(2))
        else:
            feeds = _send_feeds(shop, target, valid, listings)
            summary["feeds"] += feeds
            summary["sent"] += len(valid)
            progress(run, done=len(valid))
    run.details = {**details, "summary": summary}
    finish_run(run, _message(mode, summary))
    return run.message


def _snapshots(shop: Shop, ids: list[int]) -> list[ProductSnapshot]:
    query = db.session.query(ProductSnapshot).filter_by(shop_id=shop.id, deleted=False)
    if ids:
        query = query.filter(ProductSnapshot.id.in_([int(i) for i in ids]))
    return query.order_by(ProductSnapshot.id).all()


def _targets(shop: Shop, ids: list[str]) -> list[TargetMarketplace]:
    query = db.session.query(TargetMarketplace).filter_by(shop_id=shop.id, enabled=True)
    if ids:
        query = query.filter(TargetMarketplace.marketplace_id.in_(ids))
    return query.order_by(TargetMarketplace.id).all()


def _parent_of(plan: ListingPlan) -> str | None:
    relation = (plan.payload.get("attributes") or {}).get("child_parent_sku_relationship") or []
    return relation[0].get("parent_sku") if relation else None


def _hold_orphans(plans: list[ListingPlan]) -> list[ListingPlan]:
    """A child whose parent cannot go is held: children never go before (or without) parents."""
    from mapping.problems import Problem

    blocked_parents = {p.sku for p in plans if p.role == "parent" and not p.ok}
    for plan in plans:
        parent = _parent_of(plan)
        if plan.role == "child" and parent in blocked_parents:
            plan.problems.append(
                Problem(
                    "child_parent_sku_relationship",
                    plan.marketplace_id,
                    "parent_blocked",
                    say(
                        N_(
                            "The variation parent %(parent)s has problems, so this variation "
                            "waits for it."
                        ),
                        parent=parent,
                    ),
                    say(N_("Fix the parent's problems listed for this product.")),
                )
            )
    return plans


def _record_plans(
    shop: Shop, target: TargetMarketplace, plans: list[ListingPlan]
) -> dict[str, Listing]:
    """One Listing row per SKU with its payload, problems and price breakdown."""
    skus = [p.sku for p in plans if p.sku]
    existing = {
        row.sku: row
        for row in db.session.query(Listing).filter(
            Listing.shop_id == shop.id,
            Listing.marketplace_id == target.marketplace_id,
            Listing.sku.in_(skus),
        )
    }
    for plan in plans:
        if not plan.sku:
            continue
        row = existing.get(plan.sku)
        if row is None:
            row = Listing(
                shop_id=shop.id,
                sku=plan.sku,
                marketplace_id=target.marketplace_id,
                payload={},
                amazon_issues=[],
            )
            db.session.add(row)
            existing[plan.sku] = row
        row.product_type = plan.payload.get("productType") or row.product_type
        row.parent_sku = _parent_of(plan)
        row.fulfillment_channel = target.fulfillment_channel
        row.local_problems = [p.to_dict() for p in plan.problems]
        if plan.price_breakdown is not None:
            row.price = plan.price_breakdown.price
            row.price_breakdown = plan.price_breakdown.text
        if not plan.ok:
            row.status = "problems"
        elif row.status in (None, "not_mapped", "problems", "held"):
            row.status = "ready"
    db.session.commit()
    return existing


def _trial_selection(valid: list[ListingPlan], size: int) -> list[ListingPlan]:
    """The first `size` SKUs (10–20), keeping each chosen child's parent with it."""
    size = max(TRIAL_MIN, min(TRIAL_MAX, size))
    chosen: list[ListingPlan] = []
    parents = {p.sku: p for p in valid if p.role == "parent"}
    for plan in valid:
        if len([p for p in chosen if p.role != "parent"]) >= size:
            break
        if plan.role == "parent" or plan in chosen:
            continue
        parent = parents.get(_parent_of(plan) or "")
        if parent is not None and parent not in chosen:
            chosen.append(parent)
        chosen.append(plan)
    return chosen


def _send_single(
    shop: Shop,
    target: TargetMarketplace,
    plans: list[ListingPlan],
    listings: dict[str, Listing],
    run: JobRun,
) -> tuple[int, int]:
    """putListingsItem per SKU, parents first: Amazon answers at once, issues included."""
    seller = seller_for(shop.id, target.marketplace_id)
    locale = marketplace(target.marketplace_id).language_tag
    sent = rejected = 0
    for plan in sorted(plans, key=lambda p: p.role != "parent"):
        row = listings[plan.sku]
        if row.status in ("submitted", "active") and row.payload == plan.payload:
            sent += 1  # already on Amazon as it is (a re-run after an interruption)
            progress(run, done=1)
            continue
        answer = seller.put_listing(
            target.marketplace_id, plan.sku, plan.payload, issue_locale=locale
        )
        row.payload = plan.payload
        row.amazon_issues = answer.get("issues", [])
        accepted = answer.get("status") == "ACCEPTED"
        row.status = "submitted" if accepted else "error"
        # the stock sync then sends a quantity only once it differs from the one published
        row.quantity_sent = published_quantity(plan.payload) if accepted else None
        submission = Submission(
            shop_id=shop.id,
            kind="put",
            marketplace_id=target.marketplace_id,
            status="done",
            message_count=1,
            accepted=int(accepted),
            invalid=int(not accepted),
            report={"sku": plan.sku, **answer},
            finished_at=utcnow(),
        )
        db.session.add(submission)
        db.session.flush()
        row.submission_id = submission.id
        db.session.commit()  # before the next call to Amazon
        sent += int(accepted)
        rejected += int(not accepted)
        progress(run, done=int(accepted), failed=int(not accepted))
    return sent, rejected


def _send_feeds(
    shop: Shop, target: TargetMarketplace, plans: list[ListingPlan], listings: dict[str, Listing]
) -> int:
    """JSON_LISTINGS_FEED per marketplace: new SKUs as UPDATE, known ones as PATCH of changes."""
    seller = seller_for(shop.id, target.marketplace_id)
    batcher = FeedBatcher(seller.seller_id)
    for plan in sorted(plans, key=lambda p: p.role != "parent"):
        row = listings[plan.sku]
        attributes = plan.payload["attributes"]
        if row.payload and row.status in ("submitted", "active"):
            patches = patches_for(row.payload.get("attributes", {}), attributes)
            if not patches:
                continue  # nothing changed: no message
            message = feed_message(
                0, plan.sku, "PATCH", plan.payload["productType"], patches=patches
            )
        else:
            message = feed_message(
                0,
                plan.sku,
                "UPDATE",
                plan.payload["productType"],
                attributes=attributes,
                requirements=plan.payload.get("requirements"),
            )
        batcher.add(message, plan.payload)
    locale = marketplace(target.marketplace_id).language_tag
    for batch in batcher.batches():
        # Wait here for Amazon's feed rules (5 per 5 minutes per region, the createFeed bucket):
        # a 10,000-SKU run has 2 feeds per marketplace, and 10 in Europe, which at Amazon's pace
        # outrun both; the client's limiter would give up after 2 minutes and fail the run.
        wait_for_feed_slot(seller)
        feed_id = seller.submit_feed(target.marketplace_id, batch.messages, issue_locale=locale)
        submission = Submission(
            shop_id=shop.id,
            kind="feed",
            marketplace_id=target.marketplace_id,
            feed_id=feed_id,
            status="submitted",
            message_count=len(batch.messages),
            report={"message_skus": batch.message_skus()},
        )
        db.session.add(submission)
        db.session.flush()
        for message, payload in zip(batch.messages, batch.payloads, strict=True):
            row = listings[message["sku"]]
            row.payload, row.status, row.submission_id = payload, "submitted", submission.id
            row.quantity_sent = published_quantity(payload)  # reset if the feed refuses it
        db.session.commit()
        enqueue_feed_poll(submission.id, shop.id, delay_seconds=amazon_wait(2))
    return len(batcher.finished)


def _message(mode: str, s: dict) -> str:
    if mode == "validate":
        return f"{s['valid']} ready, {s['problems']} with problems"
    text = f"{s['sent']} sent, {s['problems']} held back with problems"
    if s["rejected"]:
        text += f", {s['rejected']} rejected by Amazon"
    if s["feeds"]:
        text += f" ({s['feeds']} feeds)"
    return text
