"""Store webhook records are purged after CROSSPORT_WEBHOOK_RETENTION_DAYS by the scheduler's
hourly job, in a real worker, in batches, and never while unprocessed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event

from core.db import db, utcnow
from core.models import WebhookEvent
from core.retention import delete_in_batches
from core.settings import Settings, SettingsError
from jobs.scheduler import SCHEDULE, tick
from tests.support.workers import start_worker, worker_output

PURGE = next(task for task in SCHEDULE if task.name == "purge-webhooks")


def _record(key: str, platform: str, status: str, days_ago: float) -> None:
    received_at = utcnow() - timedelta(days=days_ago)
    db.session.add(WebhookEvent(platform=platform, topic="products/update", event_key=key,
                                status=status, received_at=received_at))  # fmt: skip


def _purge_in_a_worker(settings) -> str:
    """What production does: the scheduler enqueues the task, a worker of its queue runs it."""
    assert tick((PURGE,)) == ["purge-webhooks"]
    proc = start_worker(settings, burst=True, queues=PURGE.queue)
    proc.wait(timeout=120)
    return worker_output(proc)


def _kept() -> list[str]:
    db.session.expire_all()
    return sorted(e.event_key for e in db.session.query(WebhookEvent))


def test_the_purge_is_an_hourly_task():
    assert (PURGE.func, PURGE.every_seconds) == ("jobs.maintenance.purge_webhook_records", 3600)


def test_processed_store_records_past_retention_go_and_unprocessed_ones_stay(app, test_settings):
    # given store records of 31 days ago in every state, recent ones, and Amazon's of 31 days
    for platform in ("shopify", "woocommerce"):
        for status in ("done", "ignored", "failed", "received"):
            _record(f"{platform}-old-{status}", platform, status, 31)
        _record(f"{platform}-recent-done", platform, "done", 29)
        _record(f"{platform}-recent-failed", platform, "failed", 1)
    _record("amazon-old-done", "amazon", "done", 31)
    db.session.commit()
    assert test_settings.webhook_retention_days == 30
    # when the scheduler's purge runs in a worker
    output = _purge_in_a_worker(test_settings)
    # then processed store records past 30 days are gone, failed ones included (counted from
    # receipt); the unprocessed ones stay whatever their age, and Amazon's wait for their own purge
    assert _kept() == [
        "amazon-old-done",
        "shopify-old-received",
        "shopify-recent-done",
        "shopify-recent-failed",
        "woocommerce-old-received",
        "woocommerce-recent-done",
        "woocommerce-recent-failed",
    ], output


def test_the_retention_follows_the_setting(app, test_settings):
    # given a retention of 7 days, and records of 8 and 6 days ago
    settings = replace(test_settings, webhook_retention_days=7)
    _record("eight-days", "woocommerce", "done", 8)
    _record("six-days", "woocommerce", "done", 6)
    db.session.commit()
    # when the purge runs with that setting
    output = _purge_in_a_worker(settings)
    # then only the older one went
    assert _kept() == ["six-days"], output


def test_a_big_purge_deletes_in_short_batches(app):
    # given 25 old records, 2 unprocessed among them
    for n in range(25):
        _record(f"old-{n:02d}", "shopify", "received" if n in (3, 17) else "done", 40)
    db.session.commit()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0].upper())

    def commit(conn):
        statements.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.engine, "commit", commit)
    try:
        # when they are purged ten at a time
        cutoff = utcnow() - timedelta(days=30)
        deleted = delete_in_batches(
            WebhookEvent,
            WebhookEvent.received_at < cutoff,
            WebhookEvent.status != "received",
            batch=10,
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(db.engine, "commit", commit)
    # then 23 went in three DELETEs (10, 10, 3), each its own transaction, and two stay
    assert deleted == 23
    deletes_and_commits = [s for s in statements if s in ("DELETE", "COMMIT")]
    assert deletes_and_commits == ["DELETE", "COMMIT"] * 3
    assert _kept() == ["old-03", "old-17"]


def test_a_batch_size_below_one_is_refused(app):
    with pytest.raises(ValueError, match="batch must be at least 1, got 0"):
        delete_in_batches(WebhookEvent, batch=0)


def test_the_retention_setting_is_read_and_checked():
    assert Settings.from_env({}).webhook_retention_days == 30
    assert Settings.from_env({"CROSSPORT_WEBHOOK_RETENTION_DAYS": "3"}).webhook_retention_days == 3
    with pytest.raises(SettingsError, match="CROSSPORT_WEBHOOK_RETENTION_DAYS: at least 1 day"):
        Settings.from_env({"CROSSPORT_WEBHOOK_RETENTION_DAYS": "0"})
    with pytest.raises(SettingsError, match="CROSSPORT_WEBHOOK_RETENTION_DAYS"):
        Settings.from_env({"CROSSPORT_WEBHOOK_RETENTION_DAYS": "a month"})
