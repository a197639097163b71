"""The reconciliation sweep of a WooCommerce shop on the default database, SQLite.

SQLite has one writer. A job that holds a write transaction across a call to the store locks
out the API log, which records every call from its own session: against a real store the
sweep's INSERT INTO api_calls waited 15 s and failed with "database is locked" (issue 15,
item 7). The sweep runs here in-process, as a worker runs it, against the emulated store.
"""

from __future__ import annotations

import time

from core.db import db
from core.models import ApiCall, Checkpoint, JobRun
from jobs.reconcile import reconcile_shop


def test_the_first_sweep_of_a_shop_finishes_and_logs_its_calls(connected):
    app, server, shop = connected
    assert db.session.query(Checkpoint).filter_by(shop_id=shop.id).count() == 0
    started = time.monotonic()
    repaired = reconcile_shop(shop.id)  # the first one creates its checkpoint row
    took = time.monotonic() - started
    assert "products" in repaired and "webhooks" in repaired
    assert took < 10, f"the sweep waited for a lock: {took:.1f} s"
    db.session.rollback()
    run = db.session.query(JobRun).filter_by(kind="reconcile", shop_id=shop.id).one()
    assert run.status == "done", run.message
    assert db.session.query(Checkpoint).filter_by(shop_id=shop.id).one().value
    logged = db.session.query(ApiCall).filter_by(shop_id=shop.id, platform="woocommerce")
    assert logged.filter(ApiCall.operation == "GET products").count() >= 1
