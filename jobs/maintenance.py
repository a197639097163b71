"""Housekeeping jobs: retention purges and runs whose worker died."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import delete, update

from core.apilog import purge_old_calls
from core.db import db, utcnow
from core.models import JobRun, OrderLink, WebhookEvent
from core.redis import get_redis

log = logging.getLogger("crossport.jobs")


def purge_api_log() -> int:
    """Drop API log rows past the retention period."""
    return purge_old_calls(current_app.config["SETTINGS"].api_log_retention_days)


def purge_buyer_pii() -> int:
    """Erase buyer PII of orders shipped or cancelled longer ago than Amazon's policy allows."""
    days = current_app.config["SETTINGS"].pii_retention_days
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(
        update(OrderLink)
        .where(OrderLink.pii.is_not(None))
        .where(OrderLink.state.in_(("shipped", "cancelled")))
        .where(OrderLink.updated_at < cutoff)
        .values(pii=None)
    )
    db.session.commit()
    return result.rowcount or 0


def purge_notification_records() -> int:
    """Drop the records of Amazon notifications received longer ago than the retention period."""
    days = current_app.config["SETTINGS"].notification_retention_days
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(
        delete(WebhookEvent)
        .where(WebhookEvent.platform == "amazon")
        .where(WebhookEvent.received_at < cutoff)
    )
    db.session.commit()
    return result.rowcount or 0


def requeue_unprocessed_events() -> int:
    """Webhook events recorded while Redis was away (answered 200, never queued): queue them."""
    from jobs.queues import enqueue

    cutoff = utcnow() - timedelta(minutes=2)
    stuck = (
        db.session.query(WebhookEvent.id, WebhookEvent.shop_id)
        .filter(WebhookEvent.status == "received", WebhookEvent.received_at < cutoff)
        .limit(500)
        .all()
    )
    for event_id, shop_id in stuck:
        enqueue(
            "jobs.webhooks.process_event",
            event_id,
            queue="webhooks",
            job_id=f"event:{event_id}",
            title="Process a webhook",
            shop_id=shop_id,
        )
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
