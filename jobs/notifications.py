"""Amazon's ORDER_CHANGE notifications: each seller account subscribed, and the SQS queue read so
that an order reaches the store seconds after Amazon announces it, not at the next minute's poll.

A notification only asks for the account's order poll, under the poll's own job id, so a flood
of notifications coalesces into one poll, and the poll stays the only way orders come in (it is
exactly-once, jobs/orders.py); a poll that does not find the notified order yet (getOrders lags
the notification) schedules one follow-up (jobs/order_followup.py), and the scheduled poll stays
the safety net for lost notifications.
Every message is recorded as a WebhookEvent (platform "amazon"): a malformed one as failed,
then deleted, so one bad message never blocks the queue.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import AmazonAccount, OrderLink, Shop, TargetMarketplace, WebhookEvent
from core.redis import get_redis
from integrations.amazon import notifications
from integrations.amazon.errors import AmazonApiError
from integrations.amazon.notification_queue import NotificationQueue, QueueMessage
from integrations.amazon.order_change import (
    MalformedNotification,
    OrderChange,
    UnsupportedNotification,
    parse_notification,
)
from jobs.accounts import client_for
from jobs.order_followup import note_notified_order
from jobs.periodic import request_order_import
from jobs.queues import enqueue
from jobs.tenants import connected_accounts

log = logging.getLogger("crossport.jobs")

BATCHES_PER_RUN = 10  # up to 100 messages a run; more wait seconds for the next run
VISIBILITY_SECONDS = 60  # a message taken by a run that dies is read again this much later
SUBSCRIBED_TTL = 24 * 3600  # how long a subscription checked with Amazon is trusted
MAX_RECEIVES = 5  # reads of one message before it is recorded as failed and deleted
BODY_KEPT = 2000  # characters of a malformed message kept for the seller's support


def consume_notifications() -> int:
    """Read the queue until it is empty (or 100 messages): ask for polls, record, delete."""
    settings = current_app.config["SETTINGS"]
    if not settings.notifications_active:
        return 0
    queue = NotificationQueue.from_settings(settings)
    wait, handled = settings.sqs_wait_seconds, 0
    for _ in range(BATCHES_PER_RUN):
        messages = queue.receive(wait, VISIBILITY_SECONDS)
        if not messages:
            break
        done: list[QueueMessage] = []
        try:
            for message in messages:
                handle_message(message)
                done.append(message)
        finally:  # only what was handled: the rest comes back after VISIBILITY_SECONDS
            if done:
                queue.delete(done)
        handled += len(messages)
        wait = 0  # take what is there, without waiting again
    return handled


def handle_message(message: QueueMessage) -> str:
    """One SQS message: 'polled', 'known', 'unmatched', 'ignored', 'malformed' or 'given up'."""
    if message.receive_count > MAX_RECEIVES:  # it failed every time: stop it blocking others
        log.error("notification %s given up after %s reads", message.message_id, MAX_RECEIVES)
        _record(None, f"sqs:{message.message_id}", "given up", "failed",
                f"handling failed {MAX_RECEIVES} times; the scheduled order poll covers it",
                {"message_id": message.message_id, "body": message.body[:BODY_KEPT]})  # fmt: skip
        return "given up"
    try:
        change = parse_notification(message.body)
    except UnsupportedNotification as exc:
        _record(None, f"sqs:{message.message_id}", exc.notification_type, "ignored", str(exc), {})
        return "ignored"
    except MalformedNotification as exc:
        log.warning("malformed notification %s: %s", message.message_id, exc)
        _record(None, f"sqs:{message.message_id}", "malformed", "failed", str(exc),
                {"message_id": message.message_id, "body": message.body[:BODY_KEPT]})  # fmt: skip
        return "malformed"
    facts = {
        "SellerId": change.seller_id,
        "AmazonOrderId": change.amazon_order_id,
        "MarketplaceId": change.marketplace_id,
        "OrderStatus": change.order_status,
    }
    accounts = accounts_for(change)
    if not accounts:
        reason = f"no connected account sells in {change.marketplace_id} as {change.seller_id}"
        _record(None, f"{change.notification_id}:-", "ORDER_CHANGE", "ignored", reason, facts,
                resource_id=change.amazon_order_id)  # fmt: skip
        return "unmatched"
    outcome = "known"
    for account_id, shop_id in accounts:
        if needs_poll(change, shop_id):
            # noted first: a poll that misses it (getOrders lags) then looks again shortly
            note_notified_order(account_id, change.marketplace_id, change.amazon_order_id)
            request_order_import(account_id, shop_id)
            outcome = "polled"
        # recorded after the request: a crash in between re-reads the message, and the
        # request coalesces with the one already queued
        _record(shop_id, f"{change.notification_id}:{shop_id}", "ORDER_CHANGE", "done", "",
                facts, resource_id=change.amazon_order_id)  # fmt: skip
    return outcome


def accounts_for(change: OrderChange) -> list[tuple[int, int]]:
    """(account id, shop id) of every connected account selling in the notified marketplace."""
    return (
        db.session.query(AmazonAccount.id, AmazonAccount.shop_id)
        .join(TargetMarketplace, TargetMarketplace.account_id == AmazonAccount.id)
        .join(Shop, Shop.id == AmazonAccount.shop_id)
        .filter(
            AmazonAccount.selling_partner_id == change.seller_id,
            AmazonAccount.status == "connected",
            TargetMarketplace.marketplace_id == change.marketplace_id,
            TargetMarketplace.enabled.is_(True),
            Shop.status == "installed",
        )
        .all()
    )


def needs_poll(change: OrderChange, shop_id: int) -> bool:
    """Whether the change can bring anything: not a Pending order (no price yet; Amazon notifies
    again when payment clears), not a status the imported order already has (a duplicate, or
    the shipment Crossport itself confirmed)."""
    if change.order_status == "Pending":
        return False
    link = (
        db.session.query(OrderLink.state, OrderLink.amazon_status)
        .filter_by(
            shop_id=shop_id,
            amazon_order_id=change.amazon_order_id,
            marketplace_id=change.marketplace_id,
        )
        .first()
    )
    if link is None or link.state in ("claimed", "failed"):
        return True
    return link.amazon_status != change.order_status


def _record(shop_id: int | None, key: str, topic: str, status: str, error: str, payload: dict,
            resource_id: str = "") -> bool:  # fmt: skip
    """One WebhookEvent per notification and shop; False when it was already recorded (Amazon
    delivers at least once)."""
    db.session.add(WebhookEvent(shop_id=shop_id, platform="amazon", topic=topic[:100],
                                event_key=key[:255], resource_id=resource_id[:100],
                                payload=payload, status=status, error=error[:2000],
                                processed_at=utcnow()))  # fmt: skip
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


# subscriptions -------------------------------------------------------------------------------


def subscribe_all_accounts() -> int:
    """Make sure every connected account is subscribed (accounts connected before notifications
    were turned on, a subscription lost on Amazon's side); checked ones are skipped for a day."""
    if not current_app.config["SETTINGS"].notifications_active:
        return 0
    accounts = connected_accounts()
    for account_id, shop_id in accounts:
        _enqueue_subscription(account_id, shop_id)
    return len(accounts)


def request_subscription(account_id: int, shop_id: int) -> None:
    """Subscribe a freshly connected account, checking with Amazon whatever was cached."""
    get_redis().delete(_subscribed_key(account_id))
    _enqueue_subscription(account_id, shop_id)


def _enqueue_subscription(account_id: int, shop_id: int) -> None:
    enqueue(
        "jobs.notifications.subscribe_account",
        account_id,
        queue="sync",
        job_id=f"notifications:{account_id}",
        title="Subscribe to Amazon order notifications",
        shop_id=shop_id,
    )


def subscribe_account(account_id: int) -> str:
    """Our SQS destination in the account's region and the seller's ORDER_CHANGE subscription to
    it, each read before it is created; the outcome is cached in Redis for a day."""
    settings = current_app.config["SETTINGS"]
    account = db.session.get(AmazonAccount, account_id)
    if account is None or account.status != "connected":
        log.info("no connected Amazon account %s to subscribe", account_id)
        return "no account"
    if not settings.notifications_active:
        return "notifications off"
    redis, arn = get_redis(), settings.sqs_queue_arn
    marker = f"{arn}|{account.selling_partner_id}"
    cached = redis.get(_subscribed_key(account_id))
    if cached is not None and cached.decode() == marker and account.subscription_id:
        return "already subscribed"
    client = client_for(account)
    destination_key = f"{settings.queue_prefix}:amazon-destination:{account.region}:{arn}"
    destination_id = (redis.get(destination_key) or b"").decode()
    if not destination_id:
        name = f"crossport-{arn.rsplit(':', 1)[-1]}"[:256]
        destination_id = notifications.ensure_destination(client, name, arn)
        redis.set(destination_key, destination_id, ex=SUBSCRIBED_TTL)
    try:
        subscription = notifications.ensure_subscription(
            client, notifications.ORDER_CHANGE, destination_id
        )
    except AmazonApiError:
        redis.delete(destination_key)  # perhaps deleted on Amazon: the retry reads it afresh
        raise
    account.subscription_id = subscription["subscriptionId"]  # to delete it when the account goes
    db.session.commit()
    redis.set(_subscribed_key(account_id), marker, ex=SUBSCRIBED_TTL)
    log.info("amazon account %s subscribed to ORDER_CHANGE", account_id)
    return subscription["subscriptionId"]


def _subscribed_key(account_id: int) -> str:
    prefix = current_app.config["SETTINGS"].queue_prefix
    return f"{prefix}:amazon-subscribed:{account_id}"
