"""FBA listings are stocked by Amazon: never pushed, their Amazon quantity read back and shown."""

from __future__ import annotations

from core.db import db
from core.models import Listing, TargetMarketplace
from jobs.amazon import seller_for


def read_fba_stock(shop_id: int) -> int:
    """Copy Amazon's fulfillable quantity onto each FBA listing of the shop."""
    updated = 0
    targets = db.session.query(TargetMarketplace).filter_by(
        shop_id=shop_id, enabled=True, fulfillment_channel="FBA"
    )
    for target in targets:
        rows = {
            row.sku: row
            for row in db.session.query(Listing).filter_by(
                shop_id=shop_id, marketplace_id=target.marketplace_id, fulfillment_channel="FBA"
            )
        }
        if not rows:
            continue
        quantities = seller_for(shop_id, target.marketplace_id).fba_quantities(
            target.marketplace_id, list(rows)
        )
        for sku, row in rows.items():
            quantity = quantities.get(sku, 0)
            if row.fba_quantity != quantity:
                row.fba_quantity = quantity
                updated += 1
    db.session.commit()
    return updated
