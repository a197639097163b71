"""Housekeeping jobs: retention purges and runs whose worker died."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from core.apilog import purge_old_calls
from core.db import db, utcnow
from core.models import JobRun, OrderLink, WebhookEvent
from core.redis import get_redis
from core.retention import PURGE_BATCH, delete_in_batches

log = logging.getLogger("crossport.jobs")


def purge_api_log() -> int:
    """Drop API log rows past the retention period."""
    return purge_old_calls(current_app.config["SETTINGS"].api_log_retention_days)


def purge_buyer_pii() -> int:
    """Erase the buyers of orders shipped or cancelled longer ago than Amazon's policy allows,
    and of imports left failed as long (the order kept for creation holds the buyer too): the
    encrypted address and every other copy (jobs.buyer_data), a batch of orders at a time."""
    from jobs.buyer_data import erase_buyers

    days = current_app.config["SETTINGS"].pii_retention_days
    cutoff = utcnow() - timedelta(days=days)
    erased = 0
    while True:
        links = (
            db.session.query(OrderLink)
            .where(OrderLink.pii.is_not(None))
            .where(OrderLink.state.in_(("shipped", "cancelled", "claimed", "failed")))
            .where(OrderLink.updated_at < cutoff)
            .order_by(OrderLink.id)
            .limit(PURGE_BATCH)
            .all()
        )
        if not links:
            return erased
        erased += erase_buyers(links)


# A record past its retention goes only once handled: "received" is work still to do, whatever
# its age (requeue_unprocessed_events re-queues it). Failed ones (a handler error, a malformed
# notification) are what the seller is shown and support reads: kept as long as the rest,
# counted from receipt like the rest.
SETTLED = ("done", "ignored", "failed")
STORE_PLATFORMS = ("shopify", "woocommerce")


def purge_notification_records() -> int:
    """Drop the records of Amazon notifications received longer ago than the retention period."""
    return _purge_events(("amazon",), current_app.config["SETTINGS"].notification_retention_days)


def purge_webhook_records() -> int:
    """Drop the records of store webhooks received longer ago than the retention period.

    The record is also the delivery's dedup key (the same delivery three times acts once), so it
    must outlive every redelivery: Shopify retries a failed delivery 8 times over 4 hours (its
    older documentation said 48 hours), and WooCommerce never redelivers (it disables the webhook
    after about 5 consecutive failures). The default 30 days is far beyond either, so a purge
    never lets a late retry act twice."""
    days = current_app.config["SETTINGS"].webhook_retention_days
    return _purge_events(STORE_PLATFORMS, days)


def _purge_events(platforms: tuple[str, ...], days: int) -> int:
    cutoff = utcnow() - timedelta(days=days)
    return delete_in_batches(
        WebhookEvent,
        WebhookEvent.platform.in_(platforms),
        WebhookEvent.received_at < cutoff,
        WebhookEvent.status.in_(SETTLED),
    )


def requeue_unprocessed_events() -> int:
    """Webhook events recorded while Redis was away (answered 200, never queued): queue them."""
    from jobs.webhooks import enqueue_event

    cutoff = utcnow() - timedelta(minutes=2)
    stuck = (
        db.session.query(WebhookEvent.id, WebhookEvent.shop_id)
        .filter(WebhookEvent.status == "received", WebhookEvent.received_at < cutoff)
        .limit(500)
        .all()
    )
    for event_id, shop_id in stuck:
        enqueue_event(event_id, "Process a webhook", shop_id)
    return len(stuck)


def fail_abandoned_runs() -> int:
    """Mark a running JobRun failed when its RQ job failed or vanished (its worker died)."""
    redis = get_redis()
    count = 0
    for run in db.session.query(JobRun).filter(JobRun.status == "running").all():
        if not run.rq_job_id:
            continue
        try:
            job = Job.fetch(run.rq_job_id, connection=redis, serializer=JSONSerializer)
            status = job.get_status(refresh=True)
        except Exception:  # NoSuchJobError: expired or never there
            status = None
        if status in (JobStatus.FAILED, None):
            reason = "the worker running it stopped; see the failed job" if status else "lost"
            run.status, run.message, run.finished_at = "failed", reason, utcnow()
            count += 1
    db.session.commit()
    return count
