"""What stops while an Amazon account is disconnected, and what resumes when it is connected again.

Every job that talks to Amazon about listings (publish, price, content and stock sync, FBA
read-back, status refresh) walks the shop's *enabled* marketplaces. Disabling the account's
marketplaces is therefore what makes all of them skip it, without each job learning about account
states. The seller's choice is kept in `paused`, so connecting the same region again enables them
again. Listings and orders are kept: the listings stay on Amazon, where Crossport cannot reach them
any more, and the page shows them as not kept in step.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import AmazonAccount, Submission

# feeds Amazon is still processing: nobody could ask for their report without the seller's token
UNFINISHED_FEEDS = ("submitted", "in_progress")


def pause_account_work(session: Session, account: AmazonAccount) -> list[str]:
    """Disable the account's chosen marketplaces (remembered as paused) and stop following its
    unfinished feeds; returns the marketplace ids paused. The caller commits."""
    paused = []
    for market in account.marketplaces:
        if market.enabled:
            market.enabled, market.paused = False, True
            paused.append(market.marketplace_id)
    cancel_unfinished_feeds(session, account.shop_id,
                            [m.marketplace_id for m in account.marketplaces],
                            "the Amazon account was disconnected")  # fmt: skip
    return sorted(paused)


def cancel_unfinished_feeds(
    session: Session, shop_id: int, marketplace_ids: list[str], why: str
) -> None:
    """Stop following the feeds Amazon is still processing in these marketplaces (their reports
    can only be read with a token that is gone), saying why in each one's report."""
    if not marketplace_ids:
        return
    unfinished = session.query(Submission).filter(
        Submission.shop_id == shop_id,
        Submission.marketplace_id.in_(marketplace_ids),
        Submission.feed_id.is_not(None),
        Submission.status.in_(UNFINISHED_FEEDS),
    )
    for submission in unfinished:
        submission.status, submission.finished_at = "cancelled", utcnow()
        submission.report = {**(submission.report or {}), "stopped": why}


def resume_account_work(account: AmazonAccount) -> list[str]:
    """Enable again the marketplaces paused by a disconnection; returns their ids. The caller
    commits; the next reconcile brings their listings in step."""
    resumed = []
    for market in account.marketplaces:
        if market.paused:
            # a marketplace the seller no longer participates in cannot be sold in again
            market.enabled, market.paused = market.participating, False
            if market.enabled:
                resumed.append(market.marketplace_id)
    account.disconnected_at = account.disconnected_by = None
    return sorted(resumed)
