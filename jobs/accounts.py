"""An Amazon account's lifecycle, as the jobs and the pages drive it: the SP-API client whose
revocation disconnects the account, the disconnection itself (its work paused, an alert, its
notification subscription deleted), and queueing that deletion.

integrations/amazon builds clients and never decides about accounts; this is the one place that
learns of a revocation and acts on it.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.orm import Session

from core.db import db, utcnow
from core.models import Alert, AmazonAccount
from integrations.amazon import accounts
from integrations.amazon.client import SpApiClient
from integrations.amazon.pause import pause_account_work
from jobs.queues import enqueue

log = logging.getLogger("crossport.jobs")


def client_for(account: AmazonAccount) -> SpApiClient:
    """An SP-API client for a connected account, which disconnects it if Amazon says its
    authorization was revoked; AmazonAuthorizationRevoked when it is not connected."""

    def disconnect(reason: str) -> None:
        mark_disconnected(account.id, reason)

    return accounts.client_for(account, on_revoked=disconnect)


def client_for_id(account_id: int) -> SpApiClient:
    account = db.session.get(AmazonAccount, account_id)
    if account is None:
        raise LookupError(f"no Amazon account {account_id}")
    return client_for(account)


def mark_disconnected(account_id: int, reason: str) -> None:
    """Flag the account and raise an alert, in a transaction of its own (the job is failing)."""
    with Session(db.engine) as session:
        account = session.get(AmazonAccount, account_id)
        if account is None or account.status == "disconnected":
            return
        account.status = "disconnected"
        account.status_reason = reason[:500]
        # listing, price and stock jobs skip it until it is connected again (as when the
        # seller disconnects it from the page), instead of each failing on the revoked token
        pause_account_work(session, account)
        session.add(Alert(shop_id=account.shop_id, kind="amazon_disconnected", severity="error",
                          message=f"Amazon {account.region} disconnected: {reason}",
                          details={"account_id": account.id, "region": account.region,
                                   "at": utcnow().isoformat()}))  # fmt: skip
        session.commit()
        # Amazon would go on notifying for the seller: its subscription is deleted in a job
        # (grantless, so the revoked token does not matter)
        request_unsubscription(account)
    log.warning("amazon account disconnected", extra={"account_id": account_id})


def request_unsubscription(
    account: AmazonAccount, seller_id: str | None = None, subscription_id: str | None = None
) -> bool:
    """Queue the deletion of the account's subscription (or of the one `seller_id` had, when the
    region was connected to another seller since); call it once the account's new state is
    committed (the job checks that no connected account still uses the subscription)."""
    if seller_id is None:
        seller_id, subscription_id = account.selling_partner_id, account.subscription_id
    elif not subscription_id:
        # the job could only look the id up with the account's token, now another seller's:
        # it would find and delete the new seller's subscription
        return False
    if not subscription_id and not current_app.config["SETTINGS"].notifications_active:
        return False  # never subscribed: nothing to ask Amazon
    enqueue(
        "jobs.unsubscribe.unsubscribe_account",
        account.id,
        account.region,
        seller_id,
        subscription_id or "",
        queue="periodic",
        job_id=f"notifications-unsubscribe:{account.id}",
        title="Delete an Amazon order notification subscription",
        shop_id=account.shop_id,
    )
    return True
