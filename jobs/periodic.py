"""Periodic fan-out: the scheduler enqueues these; each enqueues one job per tenant or account."""

from __future__ import annotations

from core.db import db
from core.models import Shop, StoreConnection, Submission
from jobs.feeds import enqueue_feed_poll
from jobs.queues import enqueue
from jobs.tenants import connected_accounts

ORDER_IMPORT_TIMEOUT = 3600  # a backlog at getOrderItems' 0.5/s takes a while


def _installed_shop_ids() -> list[int]:
    return [shop_id for (shop_id,) in db.session.query(Shop.id).filter_by(status="installed")]


def request_order_import(account_id: int, shop_id: int) -> None:
    """Queue one getOrders poll of an account; one id per account, so requests coalesce (the
    minute's poll, ORDER_CHANGE notifications: jobs/notifications.py)."""
    enqueue(
        "jobs.orders.import_orders",
        account_id,
        queue="orders",
        job_id=f"orders:{account_id}",
        title="Import Amazon orders",
        shop_id=shop_id,
        timeout=ORDER_IMPORT_TIMEOUT,
    )


def poll_all_orders() -> int:
    """One getOrders poll per connected seller account and region (all its marketplaces at once)."""
    accounts = connected_accounts()
    for account_id, shop_id in accounts:
        request_order_import(account_id, shop_id)
    for shop_id in _installed_shop_ids():
        enqueue(
            "jobs.orders.retry_stuck_orders",
            shop_id,
            queue="orders",
            job_id=f"stuck-orders:{shop_id}",
            title="Retry stuck order imports",
            shop_id=shop_id,
        )
    return len(accounts)


def poll_all_feeds() -> int:
    """Check every feed still processing on Amazon."""
    pending = (
        db.session.query(Submission.id, Submission.shop_id)
        .filter(Submission.feed_id.is_not(None))
        .filter(Submission.status.in_(("submitted", "in_progress")))
        .all()
    )
    for submission_id, shop_id in pending:
        enqueue_feed_poll(submission_id, shop_id)
    return len(pending)


def reconcile_all_shops() -> int:
    """The safety net for lost webhooks and failed calls: one sweep per shop."""
    shop_ids = _installed_shop_ids()
    for shop_id in shop_ids:
        enqueue(
            "jobs.reconcile.reconcile_shop",
            shop_id,
            queue="periodic",
            job_id=f"reconcile:{shop_id}",
            title="Reconcile store and Amazon",
            shop_id=shop_id,
        )
    return len(shop_ids)


def refresh_expiring_tokens() -> int:
    """Refresh Shopify access tokens before they expire, so no job meets an expired token."""
    rows = (
        db.session.query(StoreConnection.shop_id)
        .join(Shop, Shop.id == StoreConnection.shop_id)
        .filter(Shop.status == "installed", Shop.platform == "shopify")
        .filter(StoreConnection.refresh_token.is_not(None))
        .all()
    )
    for (shop_id,) in rows:
        enqueue(
            "jobs.tokens.refresh_store_token",
            shop_id,
            queue="periodic",
            job_id=f"token:{shop_id}",
            title="Refresh the store token",
            shop_id=shop_id,
        )
    return len(rows)
