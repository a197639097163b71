"""Tenant lifecycle: uninstall (tokens gone, scheduled work stops, Amazon notifications stopped),
an Amazon account disconnected by the seller (the same, for one region), and redaction."""

from __future__ import annotations

import logging

from sqlalchemy import or_, update

from core.db import db, utcnow
from core.models import Alert, AmazonAccount, Shop
from integrations.amazon.pause import pause_account_work
from jobs.accounts import client_for, request_unsubscription

log = logging.getLogger("crossport.jobs")


def uninstall_shop(shop_id: int) -> None:
    """The store removed Crossport: forget its credentials; periodic jobs skip uninstalled shops."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    shop.status = "uninstalled"
    shop.uninstalled_at = utcnow()
    if shop.connection is not None:
        conn = shop.connection
        conn.access_token = conn.refresh_token = None
        conn.consumer_key = conn.consumer_secret = None
        conn.status = "uninstalled"
    db.session.commit()
    # after the commit: the job deletes a subscription only once no connected shop uses it
    for account in db.session.query(AmazonAccount).filter_by(shop_id=shop_id):
        request_unsubscription(account)
    log.info("shop uninstalled", extra={"shop_id": shop_id})


def disconnect_amazon_account(account_id: int, by: str) -> bool:
    """The seller disconnects an account from the page: its token erased, its marketplaces
    paused (integrations/amazon/pause.py), its subscription deleted on Amazon in a job. False
    when it already was (nothing changes, nothing is queued again)."""
    # Claimed by one conditional UPDATE, the transaction's first write: two clicks at once make
    # one disconnection, not two, on PostgreSQL (the second waits on the row, then matches
    # nothing) and on SQLite (the second waits on the write lock, then matches nothing).
    now = utcnow()
    claimed = db.session.execute(
        update(AmazonAccount)
        .where(
            AmazonAccount.id == account_id,
            or_(AmazonAccount.disconnected_at.is_(None), AmazonAccount.refresh_token.is_not(None)),
        )
        .values(disconnected_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        if db.session.get(AmazonAccount, account_id) is None:
            raise LookupError(f"no Amazon account {account_id}")
        return False
    account = db.session.get(AmazonAccount, account_id, populate_existing=True)
    if account.status == "connected" and account.refresh_token:
        # the access token Amazon gave for it, cached for up to an hour here and in Redis, goes too
        client_for(account).forget_access_token()
    paused = pause_account_work(db.session, account)
    account.status, account.refresh_token = "disconnected", None
    account.disconnected_at, account.disconnected_by = now, by[:255]
    account.status_reason = f"Disconnected by {by} on {now:%Y-%m-%d %H:%M} UTC"[:500]
    # the activity page's record of it, settled by connecting the region again
    db.session.add(Alert(shop_id=account.shop_id, kind="amazon_disconnected", severity="info",
                         message=f"Amazon {account.region} disconnected by {by}",
                         details={"account_id": account.id, "region": account.region,
                                  "at": now.isoformat(), "by": by, "paused": paused}))  # fmt: skip
    db.session.commit()
    # after the commit: the job keeps a subscription another connected account still uses
    request_unsubscription(account)
    log.info("amazon account disconnected by the seller",
             extra={"account_id": account.id, "shop_id": account.shop_id})  # fmt: skip
    return True


def redact_shop(shop_id: int) -> None:
    """Shopify's shop/redact (48 h after uninstall): delete every row of the shop."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    db.session.delete(shop)  # every table cascades from shops.id
    db.session.commit()
    log.info("shop redacted", extra={"shop_id": shop_id})


def connected_accounts() -> list[tuple[int, int]]:
    """(account id, shop id) of every connected Amazon account of an installed shop: what the
    periodic fan-outs (order polls, account health, notification subscriptions) walk."""
    return (
        db.session.query(AmazonAccount.id, AmazonAccount.shop_id)
        .join(Shop, Shop.id == AmazonAccount.shop_id)
        .filter(Shop.status == "installed", AmazonAccount.status == "connected")
        .all()
    )
