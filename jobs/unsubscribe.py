"""Deleting an Amazon account's ORDER_CHANGE subscription once the account is gone (disconnected,
its authorization revoked, its shop uninstalled), so that Amazon stops notifying for it.

The job carries what it needs (region, seller, subscription id), not credentials: the delete is
grantless, by id, so it works whether the seller's token is revoked, erased, or its row redacted.
Amazon keeps one subscription per seller, region and type for the application, so a subscription
still serving another connected account of the same seller (another shop, or this account
connected again) is kept.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import or_

from core.db import db
from core.models import AmazonAccount, Shop
from core.redis import get_redis
from integrations.amazon import notifications
from integrations.amazon.accounts import app_client
from integrations.amazon.errors import AmazonAuthorizationRevoked
from jobs.accounts import client_for, request_unsubscription

log = logging.getLogger("crossport.jobs")


def unsubscribe_gone_accounts() -> int:
    """Queue the deletion for every account still holding a subscription while disconnected or
    uninstalled (a revocation seen by a failing call, a queueing lost to a crash)."""
    gone = (
        db.session.query(AmazonAccount)
        .join(Shop, Shop.id == AmazonAccount.shop_id)
        .filter(AmazonAccount.subscription_id.is_not(None))
        .filter(or_(AmazonAccount.status != "connected", Shop.status != "installed"))
        .all()
    )
    return sum(request_unsubscription(account) for account in gone)


def unsubscribe_account(account_id: int, region: str, seller_id: str, subscription_id: str) -> str:
    """Delete the subscription on Amazon: 'deleted', 'already gone', 'kept' (still in use),
    'none' (the seller has none), or 'unknown' (no id, and the seller's token cannot look)."""
    users = _connected_accounts(region, seller_id)
    if users:
        if account_id not in users:  # another shop's account holds it now
            _forget(account_id, subscription_id)
        log.info("subscription of amazon account %s kept: the seller is connected to account %s",
                 account_id, users[0])  # fmt: skip
        return "kept"
    account = db.session.get(AmazonAccount, account_id)
    shop_id = account.shop_id if account is not None else None
    if not subscription_id:  # subscribed before ids were kept: ask with the seller's token
        subscription_id, outcome = _look_up(account)
        if subscription_id is None:
            _forget(account_id, "")
            return outcome
    deleted = notifications.delete_subscription(
        app_client(shop_id, region), notifications.ORDER_CHANGE, subscription_id
    )
    _forget(account_id, subscription_id)
    outcome = "deleted" if deleted else "already gone"
    log.info("ORDER_CHANGE subscription %s of amazon account %s %s", subscription_id, account_id,
             outcome)  # fmt: skip
    return outcome


def _connected_accounts(region: str, seller_id: str) -> list[int]:
    """The connected accounts of installed shops that have the seller in that region."""
    rows = (
        db.session.query(AmazonAccount.id)
        .join(Shop, Shop.id == AmazonAccount.shop_id)
        .filter(
            AmazonAccount.selling_partner_id == seller_id,
            AmazonAccount.region == region,
            AmazonAccount.status == "connected",
            Shop.status == "installed",
        )
        .all()
    )
    return [row.id for row in rows]


def _look_up(account: AmazonAccount | None) -> tuple[str | None, str]:
    """(the seller's subscription id, "") read with the seller's token, or (None, 'none') when
    the seller has none, or (None, 'unknown') when no token can tell (logged, not retried)."""
    if account is None or account.status != "connected" or not account.refresh_token:
        log.warning("ORDER_CHANGE subscription of amazon account %s unknown: no usable seller "
                    "token to look it up", getattr(account, "id", None))  # fmt: skip
        return None, "unknown"
    try:
        found = notifications.get_subscription(client_for(account), notifications.ORDER_CHANGE)
    except AmazonAuthorizationRevoked:  # the call marked the account disconnected
        log.warning("ORDER_CHANGE subscription of amazon account %s unknown: the seller's token "
                    "is revoked", account.id)  # fmt: skip
        return None, "unknown"
    return (found["subscriptionId"], "") if found else (None, "none")


def _forget(account_id: int, subscription_id: str) -> None:
    """The account no longer holds the subscription; the next connection checks with Amazon."""
    account = db.session.get(AmazonAccount, account_id)
    if account is not None and account.subscription_id in (subscription_id, None):
        account.subscription_id = None
        db.session.commit()
    prefix = current_app.config["SETTINGS"].queue_prefix
    get_redis().delete(f"{prefix}:amazon-subscribed:{account_id}")
