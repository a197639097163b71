"""A region connected again with a *different* Amazon seller account.

Listings live in a seller's own catalogue: what Crossport published for the previous seller is not
on the new seller's account, and syncing price or stock to it would only fail (or worse, with SKUs
that happen to exist there, change someone else's offers). So the region's listings are forgotten:
each goes back to its local state (ready to publish, or its problems), without ASIN, issues or the
payload last sent. Unfinished feeds are no longer followed; the order checkpoint restarts, so the
new seller's recent orders are imported as on a first connection. Orders already imported stay.
The previous seller's ORDER_CHANGE subscription is deleted by the caller after its commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.models import Alert, AmazonAccount, Checkpoint, Listing

from .pause import cancel_unfinished_feeds


@dataclass(frozen=True)
class ReplacedSeller:
    """The seller a region was connected to before, and what was forgotten with it."""

    seller_id: str
    subscription_id: str | None
    listings_forgotten: int


# what reflects the previous seller's Amazon catalogue
SENT_STATUSES = ("submitted", "active", "error")


def replace_seller(session: Session, account: AmazonAccount, seller_id: str) -> ReplacedSeller:
    """Forget what the account's previous seller had here, and tell the seller on the activity
    page. The caller sets the new seller and commits."""
    replaced = ReplacedSeller(account.selling_partner_id, account.subscription_id,
                              forget_previous_seller(session, account))  # fmt: skip
    account.subscription_id = None  # the new seller gets its own
    session.add(Alert(
        shop_id=account.shop_id, kind="amazon_seller_changed", severity="warning",
        message=f"Amazon {account.region} is now connected to seller {seller_id}, not "
                f"{replaced.seller_id}: {replaced.listings_forgotten} listings must be published "
                "again",
        details={"account_id": account.id, "region": account.region, "seller": seller_id,
                 "previous": replaced.seller_id, "listings": replaced.listings_forgotten},
    ))  # fmt: skip
    return replaced


def forget_previous_seller(session: Session, account: AmazonAccount) -> int:
    """Reset the listings of the account's marketplaces to their local state; returns how many.
    The caller commits."""
    marketplace_ids = [m.marketplace_id for m in account.marketplaces]
    if not marketplace_ids:
        return 0
    rows = session.query(Listing).filter(
        Listing.shop_id == account.shop_id,
        Listing.marketplace_id.in_(marketplace_ids),
        Listing.status.in_(SENT_STATUSES),
    )
    forgotten = 0
    for row in rows:
        # as publish decides (ListingPlan.ok): only an error blocks; a warning (a description that
        # looks to be in another language, say) leaves the listing ready to publish again
        blocked = any(p.get("severity", "error") == "error" for p in row.local_problems or [])
        row.status = "problems" if blocked else "ready"
        row.asin, row.payload, row.amazon_issues = None, {}, []
        row.quantity_sent = row.fba_quantity = row.submission_id = None
        forgotten += 1
    cancel_unfinished_feeds(session, account.shop_id, marketplace_ids,
                            "another Amazon seller account was connected")  # fmt: skip
    session.query(Checkpoint).filter_by(
        shop_id=account.shop_id, name=f"orders:{account.region}"
    ).delete()
    return forgotten
