"""Tenant lifecycle: uninstall (tokens gone, scheduled work stops, Amazon notifications stopped)
and redaction (data gone)."""

from __future__ import annotations

import logging

from core.db import db, utcnow
from core.models import AmazonAccount, Shop
from jobs.unsubscribe import request_unsubscription

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
