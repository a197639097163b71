"""The periodic-job scheduler: enqueues each task once per interval, however many run.

Why not RQ's CronScheduler or rq-scheduler: both enqueue with RQ's pickle serializer (our
workers read JSON only, so job arguments stay ids) and neither stops two scheduler processes
from enqueuing the same run twice. Here a Redis `SET NX EX` key per task and interval elects
one enqueuer, and the job id is deterministic, so a slow run is coalesced, not stacked.
"""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass

from core.redis import get_redis
from core.redis import key as redis_key
from jobs.queues import enqueue

log = logging.getLogger("crossport.scheduler")


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    func: str  # dotted path of a job taking no arguments (it fans out per tenant itself)
    every_seconds: int
    queue: str = "periodic"


SCHEDULE: tuple[PeriodicTask, ...] = (
    PeriodicTask("poll-orders", "jobs.periodic.poll_all_orders", 60, "orders"),
    PeriodicTask("poll-feeds", "jobs.periodic.poll_all_feeds", 30),
    PeriodicTask("reconcile", "jobs.periodic.reconcile_all_shops", 900),
    PeriodicTask("refresh-store-tokens", "jobs.periodic.refresh_expiring_tokens", 300),
    PeriodicTask("purge-api-log", "jobs.maintenance.purge_api_log", 3600),
    PeriodicTask("purge-pii", "jobs.maintenance.purge_buyer_pii", 3600),
    PeriodicTask("reap-dead-runs", "jobs.maintenance.fail_abandoned_runs", 60),
    PeriodicTask("requeue-events", "jobs.maintenance.requeue_unprocessed_events", 120),
    PeriodicTask("account-health", "jobs.account_health.refresh_all_account_health", 86400),
    # ORDER_CHANGE notifications: an order polled seconds after Amazon announces it
    PeriodicTask("amazon-notifications", "jobs.notifications.consume_notifications", 5, "webhooks"),
    PeriodicTask("amazon-subscriptions", "jobs.notifications.subscribe_all_accounts", 3600),
    PeriodicTask("amazon-unsubscriptions", "jobs.unsubscribe.unsubscribe_gone_accounts", 3600),
    PeriodicTask("purge-notifications", "jobs.maintenance.purge_notification_records", 3600),
    PeriodicTask("purge-webhooks", "jobs.maintenance.purge_webhook_records", 3600),
    PeriodicTask("fx-refresh", "jobs.fx_refresh.refresh_rates", 3600),  # ECB: once a working day
)


def tick(schedule: tuple[PeriodicTask, ...] = SCHEDULE, now: float | None = None) -> list[str]:
    """Enqueue every task that is due; returns the names enqueued by this process."""
    redis = get_redis()
    now = time.time() if now is None else now
    enqueued = []
    for task in schedule:
        slot = int(now // task.every_seconds)
        key = redis_key("schedule", task.name, slot)
        if redis.set(key, "1", nx=True, ex=task.every_seconds * 2):
            enqueue(task.func, queue=task.queue, job_id=f"periodic-{task.name}", title=task.name)
            enqueued.append(task.name)
    return enqueued


def run_scheduler(poll_seconds: float = 1.0) -> None:
    """Tick until SIGTERM or SIGINT."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started", extra={"status": "started"})
    while not stopping:
        try:
            for name in tick():
                log.info("scheduled %s", name)
        except Exception:  # Redis away for a moment: log it, keep the loop alive
            log.exception("scheduler tick failed")
        time.sleep(poll_seconds)
