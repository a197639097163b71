"""The hourly purge of store webhook records keeps the delivery dedup working: a delivery inside
the retention window, redelivered after a purge ran, still acts once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from core.db import db, utcnow
from core.models import WebhookEvent
from jobs.queues import get_queue
from jobs.scheduler import SCHEDULE, tick
from tests.shopify.test_webhooks import _send
from tests.support.workers import start_worker, worker_output

PURGE = next(task for task in SCHEDULE if task.name == "purge-webhooks")


def _run_worker(env, queues: str) -> str:
    proc = start_worker(env.app.config["SETTINGS"], burst=True, queues=queues)
    proc.wait(timeout=120)
    return worker_output(proc)


def _records() -> list[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.execute(select(WebhookEvent.id, WebhookEvent.event_key))
    return sorted((row.id, row.event_key) for row in rows)


def test_a_delivery_redelivered_after_a_purge_still_acts_once(installed):
    env, shop = installed
    # given a record past the retention, and a delivery received and processed now
    db.session.add(WebhookEvent(shop_id=shop.id, platform="shopify", topic="products/update",
                                event_key="long-ago", status="done",
                                received_at=utcnow() - timedelta(days=31)))  # fmt: skip
    db.session.commit()
    event_id = str(uuid.uuid4())
    _send(env, "products/update", {"id": 42}, event_id=event_id)
    output = _run_worker(env, "webhooks")
    assert [e.status for e in db.session.scalars(select(WebhookEvent).filter_by(
        event_key=event_id))] == ["done"], output  # fmt: skip
    # when the hourly purge runs
    assert tick((PURGE,)) == ["purge-webhooks"]
    output = _run_worker(env, "periodic")
    kept = _records()
    assert [key for _, key in kept] == [event_id], output  # the old one went, the recent stayed
    # and Shopify delivers the same event twice more (a retry after a slow answer)
    _send(env, "products/update", {"id": 42}, event_id=event_id)
    _send(env, "products/update", {"id": 42}, event_id=event_id)
    # then both are acknowledged as duplicates: still one record, nothing queued again
    log = [e for e in env.control("GET", "/webhooks/log") if e["event_id"] == event_id]
    assert [e["status"] for e in log] == [200, 200, 200]
    assert _records() == kept  # the same row: not purged and recorded afresh
    assert get_queue("webhooks").count == 0
