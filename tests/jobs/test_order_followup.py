"""Amazon's getOrders lags ORDER_CHANGE: the notification's poll may not find the order yet. Then
one follow-up poll, FOLLOW_UP_SECONDS later, imports it, not the minute's scheduled poll (never
run here). Real workers, the SQS and SP-API emulators over HTTP, the emulator's getOrders lag."""

from __future__ import annotations

import json
import time

import pytest

from core.db import db
from core.models import OrderLink, WebhookEvent
from jobs.order_followup import (
    FOLLOW_UP_SECONDS,
    note_notified_order,
    noted_orders,
    settle_noted_orders,
)
from jobs.queues import enqueue, get_queue
from tests.jobs.conftest import MARKETS, wait_for
from tests.jobs.helpers import import_and_map
from tests.jobs.test_order_notifications import (  # noqa: F401 (notified, sqs_server: fixtures)
    _consume_then,
    _outbox,
    _subscribe,
    notified,
    sqs_server,
)
from tests.jobs.test_orders import _by_amazon_id, _skus
from tests.support.workers import run_burst_worker

# Longer than the notification takes to reach a poll (the consumer runs every 5 s), shorter
# than the follow-up's delay: the first poll misses the order, the follow-up finds it.
LAG = 12.0
FOLLOW_UP_JOB = "jobs.order_followup.follow_up_poll"


def _place_lagging(world, country: str, sku: str) -> tuple[str, float]:
    """An order Amazon announces at once and lists LAG seconds later; (id, listed from)."""
    order = world.amazon.control("POST", "orders", json={
        "seller_id": world.seller_id, "marketplace_id": MARKETS[country][1],
        "items": [{"sku": sku, "quantity": 1, "price": "20.00", "tax": "1.00"}],
        "visible_after_seconds": LAG})  # fmt: skip
    return order["AmazonOrderId"], time.time() + LAG


def _created(ids: list[str]):
    def check() -> bool:
        rows = db.session.query(OrderLink.state).filter(OrderLink.amazon_order_id.in_(ids))
        return sum(1 for (state,) in rows if state == "created") == len(ids)

    return check


def _eu_polls(world) -> list[float]:
    """When the EU account's getOrders calls arrived (DE and FR are EU marketplaces)."""
    return sorted(c["at"] for c in world.amazon.calls("getOrders") if c["region"] == "EU")


def _follow_ups_run(world) -> int:
    """Follow-up jobs the workers performed, from their one JSON log line per job."""
    count = 0
    for line in world.worker_logs().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        count += isinstance(entry, dict) and entry.get("job_func") == FOLLOW_UP_JOB
    return count


@pytest.mark.usefixtures("notified")
def test_an_order_listed_after_its_notification_is_imported_by_the_follow_up(world):
    world.start_workers(2)
    import_and_map(world)
    _subscribe(world)
    sku = list(_skus(world))[0]
    # given an order on Amazon.de whose notification comes before getOrders lists it
    placed_at = time.time()
    amazon_id, listed_from = _place_lagging(world, "DE", sku)
    # when the notification is consumed: the poll runs at once and misses it
    wait_for(_consume_then(lambda: _eu_polls(world)), 30, message=world.worker_logs)
    first_poll = _eu_polls(world)[0]
    assert first_poll < listed_from, "the notification's poll came after the lag: LAG too short"
    # then the follow-up poll imports it, ~FOLLOW_UP_SECONDS later, once
    wait_for(_consume_then(_created([amazon_id])), 90, message=world.worker_logs)
    latency = time.time() - placed_at
    print(f"lagging order in the store {latency:.1f} s after it was placed (lag {LAG:.0f} s)")
    assert len(_by_amazon_id(world)[amazon_id]) == 1
    polls = _eu_polls(world)
    finding = [at for at in polls if at >= listed_from]
    assert len(finding) == 1, polls  # the follow-up alone: no scheduled poll, no second look
    assert finding[0] - first_poll >= FOLLOW_UP_SECONDS - 1, polls
    assert latency < 60, "the scheduled poll would have been the one"
    assert _follow_ups_run(world) == 1
    # and the notification is recorded once, as handled
    event = db.session.query(WebhookEvent).filter_by(platform="amazon", resource_id=amazon_id).one()
    assert event.status == "done"


@pytest.mark.usefixtures("notified")
def test_a_burst_of_fifty_lagging_orders_schedules_one_follow_up(world):
    world.start_workers(2)
    import_and_map(world)
    _subscribe(world)
    skus = list(_skus(world))
    # given 50 orders on Amazon.de and Amazon.fr (one EU account), each listed LAG s after its
    # notification
    placed = [_place_lagging(world, ("DE", "FR")[n % 2], skus[n % len(skus)]) for n in range(50)]
    ids, all_listed_from = [i for i, _ in placed], max(t for _, t in placed)
    first_listed_from = min(t for _, t in placed)
    delivered = lambda: [e for e in _outbox(world) if e["status"] == "delivered"]  # noqa: E731
    wait_for(lambda: len(delivered()) == 50, 30, message="50 notifications not delivered")
    # when the notifications are consumed and the orders imported
    wait_for(_consume_then(_created(ids)), 180, message=world.worker_logs)
    # then each order is in the store exactly once
    assert {k: len(v) for k, v in _by_amazon_id(world).items() if k in ids} == {k: 1 for k in ids}
    # and the 50 notifications asked for a few polls while the orders were hidden (coalesced
    # as they arrived), which scheduled one follow-up: its poll, ~FOLLOW_UP_SECONDS after the
    # first miss, alone found them
    polls = _eu_polls(world)
    missing = [at for at in polls if at < first_listed_from]
    finding = [at for at in polls if at >= all_listed_from]
    print(f"{len(missing)} polls missed the 50 hidden orders, {len(finding)} found them")
    assert 1 <= len(missing) <= 10, polls
    assert len(finding) == 1 and len(polls) == len(missing) + 1, polls
    assert FOLLOW_UP_SECONDS - 1 <= finding[0] - missing[0] <= FOLLOW_UP_SECONDS + 15, polls
    assert _follow_ups_run(world) == 1
    assert db.session.query(WebhookEvent).filter_by(platform="amazon").count() == 50


# the notes behind it, against the real Redis ---------------------------------------------------


def _scheduled_follow_ups() -> list[str]:
    registry = get_queue("orders").scheduled_job_registry
    return [job_id for job_id in registry.get_job_ids() if "-orders-follow-up-" in job_id]


def test_a_second_miss_leaves_the_order_to_the_scheduled_poll(app):
    # given an order announced for account 7
    note_notified_order(7, "A1PA6795UKMFR9", "302-1")
    noted = noted_orders(7)
    assert noted == {"A1PA6795UKMFR9:302-1"}
    # when a poll misses it: one follow-up is scheduled, FOLLOW_UP_SECONDS away
    assert settle_noted_orders(7, 1, noted, seen=set()) is True
    (job_id,) = _scheduled_follow_ups()
    job = get_queue("orders").fetch_job(job_id)
    assert (job.func_name, job.args) == ("jobs.order_followup.follow_up_poll", [7])
    # a repeated notification of it keeps its miss; the follow-up's poll misses it again
    note_notified_order(7, "A1PA6795UKMFR9", "302-1")
    assert settle_noted_orders(7, 1, noted_orders(7), seen=set()) is False
    # then it is forgotten (the scheduled poll's now), and no second follow-up was scheduled
    assert noted_orders(7) == set()
    assert _scheduled_follow_ups() == [job_id]


def test_found_orders_are_forgotten_and_a_burst_schedules_one_follow_up(app):
    # given 50 orders announced; three polls each miss some of them
    for n in range(50):
        note_notified_order(7, "A13V1IB3VIYZZH", f"403-{n}")
    names = sorted(noted_orders(7))
    assert len(names) == 50
    requested = [settle_noted_orders(7, 1, set(names[:20]), seen=set()),
                 settle_noted_orders(7, 1, set(names[20:40]), seen=set()),
                 settle_noted_orders(7, 1, set(names), seen=set(names[:45]))]  # fmt: skip
    # then each asked for the follow-up, and the requests coalesced into one waiting job
    assert requested == [True, True, True]
    assert len(_scheduled_follow_ups()) == 1
    # and the 45 found are forgotten, the 5 missed (once) wait for the follow-up's poll
    assert noted_orders(7) == set(names[45:])


def test_a_follow_up_for_a_vanished_account_is_a_logged_no_op(app, test_settings):
    job = enqueue("jobs.order_followup.follow_up_poll", 999, queue="orders")
    output = run_burst_worker(test_settings)
    job.refresh()
    assert (job.get_status(), job.return_value()) == ("finished", "no account"), output
    assert "no connected Amazon account 999" in output
    assert get_queue("orders").count == 0  # no poll requested
