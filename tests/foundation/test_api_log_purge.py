"""The API log (a row per call to a platform, the busiest table) is purged after its retention
period, a batch at a time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from core.apilog import purge_old_calls
from core.db import db, utcnow
from core.models import ApiCall


def _call(operation: str, days_ago: float) -> ApiCall:
    return ApiCall(platform="amazon", operation=operation, status_code=200,
                   created_at=utcnow() - timedelta(days=days_ago))  # fmt: skip


def test_calls_past_retention_go_in_batches_and_recent_ones_stay(app):
    # given 2,500 calls of 31 days ago and some of yesterday
    db.session.add_all(_call("getOrders", 31) for _ in range(2500))
    db.session.add_all(_call("recent", 1) for _ in range(3))
    db.session.commit()
    commits = []

    def count(session) -> None:
        commits.append(session)

    event.listen(db.session, "after_commit", count)
    try:
        # when the purge runs with a 30-day retention
        deleted = purge_old_calls(30)
    finally:
        event.remove(db.session, "after_commit", count)
    # then the old ones are gone, three transactions of at most 1,000 rows, the recent ones kept
    assert deleted == 2500
    assert len(commits) == 3
    assert [c.operation for c in db.session.query(ApiCall)] == ["recent"] * 3
