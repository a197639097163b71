"""Account health end to end: the daily fan-out asks Amazon (the emulator) for a seller
performance report per enabled marketplace, real workers follow the reports to their documents,
and a rate off target raises an alert that a later, healthy report resolves."""

from __future__ import annotations

from rq.job import Job
from rq.serializers import JSONSerializer

from core.db import db
from core.models import AccountHealth, Alert, AmazonAccount, JobRun, TargetMarketplace
from core.redis import get_redis
from jobs.queues import enqueue
from tests.jobs.conftest import MARKETS, wait_for
from tests.support.workers import run_burst_worker

DE = MARKETS["DE"][1]
CANCELLATION = "pre_fulfillment_cancellation_rate"


def _place(world, marketplace_id: str) -> str:
    order = world.amazon.control(
        "POST",
        "orders",
        json={
            "seller_id": world.seller_id,
            "marketplace_id": marketplace_id,
            "items": [{"sku": "HEALTH-1", "quantity": 1, "price": "20.00"}],
        },
    )
    return order["AmazonOrderId"]


def _runs_done(count: int):
    def check():
        runs = db.session.query(JobRun).filter_by(kind="account_health", status="done").all()
        return runs if len(runs) >= count else None

    return check


def _open_alerts() -> list[Alert]:
    return db.session.query(Alert).filter_by(kind="account_health", resolved_at=None).all()


def test_daily_refresh_fetches_every_marketplace_and_alerts_on_a_rate_off_target(world):
    # given ten seller-fulfilled orders in Germany, one of them cancelled before shipping
    placed = [_place(world, DE) for _ in range(10)]
    world.amazon.control("POST", f"orders/{placed[0]}/cancel")
    world.start_workers(1)
    # when the scheduler's daily task runs
    enqueue("jobs.account_health.refresh_all_account_health", queue="periodic")
    runs = wait_for(_runs_done(3), 90, message=world.worker_logs)
    # then each account's run fetched each of its enabled marketplaces
    enabled = db.session.query(TargetMarketplace).filter_by(shop_id=world.shop_id, enabled=True)
    assert sum(r.total for r in runs) == sum(r.done for r in runs) == enabled.count() == 8
    assert all(r.failed == 0 and r.message.endswith("fetched") for r in runs)
    rows = {r.marketplace_id: r for r in db.session.query(AccountHealth)}
    assert set(rows) == {m for _, m in MARKETS.values()}
    assert all(r.status == "done" and r.fetched_at and r.period_start for r in rows.values())
    germany = rows[DE].metrics[CANCELLATION]
    assert (germany["rate"], germany["order_count"], germany["defect_count"]) == (0.1, 10, 1)
    assert germany["meets_target"] is False and rows[DE].account_status == "AT_RISK"
    assert all(r.account_status == "NORMAL" for m, r in rows.items() if m != DE)
    # and one alert names the marketplace, the metric and Amazon's target
    [alert] = _open_alerts()
    assert alert.details["marketplace_id"] == DE and alert.details["metric"] == CANCELLATION
    assert "10.00%" in alert.message and "2.50%" in alert.message and alert.severity == "error"
    # one report per marketplace, and Amazon's limits were never exceeded
    assert len(world.amazon.calls("createReport")) == 8
    assert not [c for c in world.amazon.calls() if c["status"] == 429]

    # when enough orders arrive for the cancellation rate to meet the target, and the seller
    # refreshes again
    for _ in range(40):
        _place(world, DE)
    eu = db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id, region="EU").one()
    enqueue("jobs.account_health.refresh_account_health", eu.id, queue="periodic")
    wait_for(_runs_done(4), 90, message=world.worker_logs)
    # then the figure is 1 in 50 and the alert is resolved
    db.session.expire_all()
    germany = db.session.query(AccountHealth).filter_by(marketplace_id=DE).one()
    assert germany.metrics[CANCELLATION]["rate"] == 0.02 and germany.account_status == "NORMAL"
    assert _open_alerts() == []


def test_a_vanished_account_is_a_logged_no_op(app):
    job = enqueue("jobs.account_health.refresh_account_health", 424242, queue="periodic")
    run_burst_worker(app.config["SETTINGS"])
    done = Job.fetch(job.id, connection=get_redis(), serializer=JSONSerializer)
    assert done.get_status() == "finished" and done.return_value() == "nothing to do"
    assert db.session.query(JobRun).filter_by(kind="account_health").count() == 0
