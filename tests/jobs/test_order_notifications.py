"""Orders by ORDER_CHANGE: Amazon's notification reaches Crossport through a real SQS endpoint
(boto3 against the SQS emulator) and the account's order poll runs at once, without the
minute's scheduled poll (never run here). Real workers, real emulators over HTTP."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from core.db import db, utcnow
from core.models import AmazonAccount, OrderLink, Shop, WebhookEvent
from jobs.periodic import request_order_import
from jobs.queues import enqueue, get_queue
from jobs.scheduler import SCHEDULE, tick
from jobs.tenants import redact_shop, uninstall_shop
from sandbox.server import serve_in_thread
from sandbox.sqs import create_sqs
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import import_and_map
from tests.jobs.test_orders import _by_amazon_id, _place, _skus
from tests.support.sqs import SqsQueue
from tests.support.workers import run_burst_worker

QUEUE = "crossport-notifications"
# the scheduler's own entry: every 5 s, one run (Redis key per slot), as in production
CONSUMER = next(task for task in SCHEDULE if task.name == "amazon-notifications")


@pytest.fixture(scope="module")
def sqs_server():
    server = serve_in_thread(create_sqs([QUEUE]))
    yield server
    server.stop()


@pytest.fixture
def notified(world, sqs_server) -> SqsQueue:
    """The world with notifications on: Amazon delivers to the queue, Crossport reads it."""
    queue = SqsQueue(sqs_server.url, QUEUE)
    world.amazon.control("POST", "options", json={"sqs_url": sqs_server.url})
    world.settings = replace(world.settings, **queue.settings())
    world.app.config["SETTINGS"] = world.settings  # before any worker starts
    return queue


def _consume_then(check):
    """A wait_for predicate: let the scheduler enqueue the consumer if due, then check."""

    def predicate():
        tick((CONSUMER,))
        return check()

    return predicate


def _subscribe(world) -> None:
    enqueue("jobs.notifications.subscribe_all_accounts", queue="periodic")
    wait_for(lambda: len(world.amazon.calls("createSubscription")) == 3, 60,
             message=world.worker_logs)  # fmt: skip


def _link(amazon_id: str) -> OrderLink | None:
    return db.session.query(OrderLink).filter_by(amazon_order_id=amazon_id).one_or_none()


def _outbox(world) -> list[dict]:
    return world.amazon.control("GET", "notifications")["notifications"]


def test_an_order_and_its_cancellation_reach_the_store_within_seconds(world, notified):
    world.start_workers(2)
    import_and_map(world)
    _subscribe(world)  # one subscription per region: NA, EU, FE
    sku = list(_skus(world))[0]
    # when a buyer orders on Amazon.de
    placed_at = time.monotonic()
    amazon_id = _place(world, "DE", sku)

    # then the store has it within seconds, polled once, on the notification's word alone
    def created():
        link = _link(amazon_id)
        return link if link is not None and link.state == "created" else None

    link = wait_for(_consume_then(created), 45, message=world.worker_logs)
    latency = time.monotonic() - placed_at
    print(f"order in the store {latency:.1f} s after it was placed on Amazon")
    assert latency < 30, "the scheduled poll would have taken up to 60 s"
    assert len(_by_amazon_id(world)[amazon_id]) == 1
    assert len(world.amazon.calls("getOrders")) == 1  # the EU account's poll, nothing else
    event = db.session.query(WebhookEvent).filter_by(platform="amazon", resource_id=amazon_id).one()
    assert (event.topic, event.status, event.shop_id) == ("ORDER_CHANGE", "done", world.shop_id)
    # when Amazon cancels it, the store order is cancelled the same way
    world.amazon.control("POST", f"orders/{amazon_id}/cancel")
    wait_for(_consume_then(lambda: db.session.get(OrderLink, link.id).state == "cancelled"), 45,
             message=world.worker_logs)  # fmt: skip
    (order,) = _by_amazon_id(world)[amazon_id]
    assert order["status"] == "cancelled"
    assert notified.waiting() == []  # every message deleted once handled


def test_a_notification_delivered_three_times_creates_one_store_order(world, notified):
    world.start_workers(2)
    import_and_map(world)
    _subscribe(world)
    sku = list(_skus(world))[0]
    amazon_id = _place(world, "FR", sku)
    (published,) = wait_for(lambda: [e for e in _outbox(world) if e["status"] == "delivered"], 10)
    notification_id = published["body"]["NotificationMetadata"]["NotificationId"]
    # Amazon delivers at least once: the same notification twice more
    world.amazon.control("POST", "notifications/redeliver",
                         json={"notification_id": notification_id, "times": 2})  # fmt: skip
    wait_for(lambda: [e["status"] for e in _outbox(world)] == ["delivered"] * 3, 10)

    def settled():
        link = _link(amazon_id)
        return link is not None and link.state == "created" and notified.waiting() == []

    wait_for(_consume_then(settled), 45, message=world.worker_logs)
    assert len(_by_amazon_id(world)[amazon_id]) == 1
    events = db.session.query(WebhookEvent).filter_by(platform="amazon", resource_id=amazon_id)
    assert [e.event_key for e in events] == [f"{notification_id}:{world.shop_id}"]
    polls = len(world.amazon.calls("getOrders"))
    assert polls <= 2, "duplicates coalesce into the poll already queued (or one follow-up)"
    # a duplicate arriving after the import asks for nothing: the order is known in that state
    world.amazon.control("POST", "notifications/redeliver",
                         json={"notification_id": notification_id})  # fmt: skip
    wait_for(_consume_then(lambda: len(_outbox(world)) == 4 and notified.waiting() == []), 20)
    time.sleep(1)
    assert len(world.amazon.calls("getOrders")) == polls
    assert len(_by_amazon_id(world)[amazon_id]) == 1
    # the hourly sweep finds every account subscribed (cached a day): no call to Amazon
    enqueue("jobs.notifications.subscribe_all_accounts", queue="periodic", job_id="sweep-2")
    wait_for(lambda: get_queue("periodic").count == 0 and get_queue("sync").count == 0, 30)
    time.sleep(1)
    assert len(world.amazon.calls("getSubscription")) == 3


def test_a_burst_of_orders_is_imported_by_one_or_two_polls(world, notified):
    world.start_workers(2)
    import_and_map(world)
    _subscribe(world)
    skus = list(_skus(world))
    # when ten orders are placed on Amazon.de and Amazon.fr within a moment
    placed_at = time.monotonic()
    placed = [_place(world, ("DE", "FR")[n % 2], skus[n % len(skus)]) for n in range(10)]

    def all_created():
        rows = db.session.query(OrderLink).filter(OrderLink.amazon_order_id.in_(placed))
        return sum(1 for row in rows if row.state == "created") == len(placed)

    wait_for(_consume_then(all_created), 60, message=world.worker_logs)
    print(f"10 orders in the store {time.monotonic() - placed_at:.1f} s after they were placed")
    # then each is in the store once, and the ten notifications asked for few polls: one queued
    # (the others coalesce into it) and at most one follow-up for those read while it ran
    assert {k: len(v) for k, v in _by_amazon_id(world).items()} == {k: 1 for k in placed}
    assert 1 <= len(world.amazon.calls("getOrders")) <= 2


def test_malformed_and_foreign_messages_are_recorded_and_deleted(world, notified):
    world.start_workers(1)
    # given a message that five consumers read and never deleted (they died on it)
    notified.send('{"NotificationType": "ORDER_CHANGE", "poison": true}')
    for _ in range(5):
        notified.client.receive_message(QueueUrl=notified.url, VisibilityTimeout=0)
    # and a queue holding what no one should have put there, and a seller we do not know
    notified.send("this is not JSON")
    notified.send('{"NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0"}')
    notified.send('{"NotificationType": "ANY_OFFER_CHANGED", "PayloadVersion": "1.0"}')
    notified.send(
        '{"NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0", "Payload": '
        '{"OrderChangeNotification": {"SellerId": "ASTRANGER", "AmazonOrderId": "1", '
        '"OrderChangeType": "OrderStatusChange", "Summary": {"MarketplaceId": "A1PA6795UKMFR9", '
        '"OrderStatus": "Unshipped"}}}, "NotificationMetadata": {"NotificationId": "n-1"}}'
    )
    # when the consumer runs
    wait_for(_consume_then(lambda: notified.waiting() == []), 30, message=world.worker_logs)
    # then each is recorded, none is left, and the consumer did not fail
    rows = db.session.query(WebhookEvent).filter_by(platform="amazon").all()
    assert sorted((row.topic, row.status) for row in rows) == [
        ("ANY_OFFER_CHANGED", "ignored"),
        ("ORDER_CHANGE", "ignored"),
        ("given up", "failed"),
        ("malformed", "failed"),
        ("malformed", "failed"),
    ]
    (given_up,) = [row for row in rows if row.topic == "given up"]
    assert '"poison": true' in given_up.payload["body"]
    failed = sorted((row for row in rows if row.topic == "malformed"), key=lambda r: r.error)
    assert "Payload: Missing data for required field." in failed[0].error
    assert failed[1].error.startswith("the message is not JSON")
    assert [row.payload["body"][:9] for row in failed] == ['{"Notific', "this is n"]
    (unmatched,) = [row for row in rows if row.topic == "ORDER_CHANGE"]
    assert "ASTRANGER" in unmatched.error
    assert get_queue("webhooks").failed_job_registry.count == 0
    assert world.amazon.calls("getOrders") == []


# when the account goes: Amazon stops notifying ---------------------------------------------


def _subscribed_accounts(world) -> dict[str, AmazonAccount]:
    """The world's accounts by region, once each holds the id of its subscription."""
    _subscribe(world)
    wait_for(lambda: all(a.subscription_id for a in _accounts(world)), 10)
    accounts = {a.region: a for a in _accounts(world)}
    assert len({a.subscription_id for a in accounts.values()}) == 3
    return accounts


def _accounts(world) -> list[AmazonAccount]:
    return db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id).all()


def _deletions(world) -> list[dict]:
    return world.amazon.calls("deleteSubscriptionById")


def _notified_orders(world) -> set[str]:
    return {n["body"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"]
            for n in _outbox(world)}  # fmt: skip


def test_uninstalling_the_shop_deletes_its_subscriptions_on_amazon(world, notified):
    world.start_workers(1)
    _subscribed_accounts(world)
    # when the shop uninstalls Crossport (what Shopify's app/uninstalled runs)
    uninstall_shop(world.shop_id)
    # then each region's subscription is deleted, by id, with the application's grantless token
    wait_for(lambda: len(_deletions(world)) == 3, 30, message=world.worker_logs)
    assert sorted((c["region"], c["caller"], c["status"]) for c in _deletions(world)) == [
        ("EU", "grantless", 200), ("FE", "grantless", 200), ("NA", "grantless", 200)]  # fmt: skip
    wait_for(lambda: all(a.subscription_id is None for a in _accounts(world)), 10)
    # and an order placed afterwards is not announced to Crossport any more
    amazon_id = _place(world, "DE", "ANY-1")
    time.sleep(1)
    assert amazon_id not in _notified_orders(world)
    assert get_queue("periodic").failed_job_registry.count == 0


def test_the_deletion_carries_what_it_needs_when_the_shop_is_redacted_first(world, notified):
    world.start_workers(1)
    _subscribed_accounts(world)
    world.stop_workers()
    # given the shop uninstalled, then redacted (every row gone) before a worker ran the deletions
    uninstall_shop(world.shop_id)
    redact_shop(world.shop_id)
    assert db.session.query(AmazonAccount).count() == 0
    # when a worker runs them, each deletes its region's subscription by the id it carries
    world.start_workers(1)
    wait_for(lambda: len(_deletions(world)) == 3, 30, message=world.worker_logs)
    assert {(c["region"], c["status"]) for c in _deletions(world)} == {
        ("NA", 200), ("EU", 200), ("FE", 200)}  # fmt: skip


def test_a_revoked_account_has_its_subscription_deleted_without_its_token(world, notified):
    world.start_workers(1)
    accounts = _subscribed_accounts(world)
    # given the seller revokes Crossport in the EU
    world.amazon.control("POST", "revoke", json={"refresh_token": accounts["EU"].refresh_token})
    # when the next call for that account finds out (here the order poll a notification asks)
    request_order_import(accounts["EU"].id, world.shop_id)
    # then the account is disconnected and its subscription deleted with the grantless token
    wait_for(lambda: [(c["region"], c["caller"]) for c in _deletions(world)] == [
        ("EU", "grantless")], 30, message=world.worker_logs)  # fmt: skip
    wait_for(lambda: db.session.get(AmazonAccount, accounts["EU"].id).subscription_id is None, 10)
    assert db.session.get(AmazonAccount, accounts["EU"].id).status == "disconnected"
    # and the other regions, still connected, keep theirs
    assert {a.region: a.subscription_id for a in _accounts(world) if a.region != "EU"} == {
        r: accounts[r].subscription_id for r in ("NA", "FE")}  # fmt: skip


def test_a_subscription_still_serving_another_shop_is_kept(world, notified):
    world.start_workers(1)
    accounts = _subscribed_accounts(world)
    # given another shop connected the same seller's EU account
    other = Shop(platform="shopify", domain="other.myshopify.com", name="Other")
    db.session.add(other)
    db.session.flush()
    db.session.add(AmazonAccount(shop_id=other.id, region="EU", selling_partner_id=world.seller_id,
                                 refresh_token=accounts["EU"].refresh_token,
                                 subscription_id=accounts["EU"].subscription_id))  # fmt: skip
    db.session.commit()
    # when the first shop uninstalls
    uninstall_shop(world.shop_id)
    # then NA and FE are deleted, EU is kept for the other shop, whose orders are still announced
    wait_for(lambda: all(a.subscription_id is None for a in _accounts(world)), 30,
             message=world.worker_logs)  # fmt: skip
    wait_for(lambda: len(_deletions(world)) == 2, 10)
    assert sorted(c["region"] for c in _deletions(world)) == ["FE", "NA"]
    amazon_id = _place(world, "DE", "ANY-1")
    wait_for(lambda: amazon_id in _notified_orders(world), 10)


def test_subscriptions_made_before_ids_were_kept_are_looked_up_or_recorded(world, notified):
    world.start_workers(1)
    accounts = _subscribed_accounts(world)
    # given NA and EU subscribed before Crossport kept subscription ids, and EU's token revoked
    for region in ("NA", "EU"):
        db.session.get(AmazonAccount, accounts[region].id).subscription_id = None
    db.session.commit()
    world.amazon.control("POST", "revoke", json={"refresh_token": accounts["EU"].refresh_token})
    # when the shop uninstalls
    uninstall_shop(world.shop_id)
    # then NA's is looked up with the seller's token and deleted, FE's deleted by its id,
    # and EU's, which no token can find any more, is given up without failing the job
    wait_for(lambda: len(_deletions(world)) == 2, 30, message=world.worker_logs)
    assert sorted(c["region"] for c in _deletions(world)) == ["FE", "NA"]
    wait_for(lambda: db.session.get(AmazonAccount, accounts["EU"].id).status == "disconnected", 10)
    periodic = get_queue("periodic")
    wait_for(lambda: periodic.count == 0 and periodic.started_job_registry.count == 0, 20)
    assert periodic.failed_job_registry.count == 0
    assert len(_deletions(world)) == 2


def test_the_hourly_sweep_unsubscribes_accounts_left_subscribed(world, notified):
    world.start_workers(1)
    accounts = _subscribed_accounts(world)
    # given an account disconnected without its subscription deleted (a crash in between)
    db.session.get(AmazonAccount, accounts["FE"].id).status = "disconnected"
    db.session.commit()
    # when the scheduler's sweep runs
    sweep = next(task for task in SCHEDULE if task.name == "amazon-unsubscriptions")
    assert tick((sweep,)) == ["amazon-unsubscriptions"]
    # then that subscription alone is deleted
    wait_for(lambda: len(_deletions(world)) == 1, 30, message=world.worker_logs)
    assert _deletions(world)[0]["region"] == "FE"
    wait_for(lambda: db.session.get(AmazonAccount, accounts["FE"].id).subscription_id is None, 10)


# retention -----------------------------------------------------------------------------------


def test_notification_records_past_retention_are_purged(app, test_settings):
    # given notification records of 40 and 29 days ago, and a store webhook's of 40 days ago
    now = utcnow()
    for key, platform, days in (("old", "amazon", 40), ("recent", "amazon", 29),
                                ("store", "shopify", 40)):  # fmt: skip
        db.session.add(
            WebhookEvent(
                platform=platform,
                topic="ORDER_CHANGE",
                event_key=key,
                status="done",
                received_at=now - timedelta(days=days),
            )
        )
    db.session.commit()
    assert test_settings.notification_retention_days == 30
    # when the scheduler's purge runs in a worker
    purge = next(task for task in SCHEDULE if task.name == "purge-notifications")
    assert tick((purge,)) == ["purge-notifications"]
    output = run_burst_worker(test_settings)
    # then only Amazon's records older than the retention are gone
    db.session.expire_all()
    kept = sorted(e.event_key for e in db.session.query(WebhookEvent))
    assert kept == ["recent", "store"], output
