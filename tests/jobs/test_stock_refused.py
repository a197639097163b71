"""A quantity patch Amazon answers INVALID changed nothing on Amazon: Crossport must not believe
it did (the next sync would skip the value as already sent, and Amazon would go on selling)."""

from __future__ import annotations

from core.db import db
from core.models import Alert, Listing
from jobs.stock import sync_stock

US = "ATVPDKIKX0DER"


def test_a_refused_quantity_is_not_recorded_as_sent_and_the_seller_is_told(world):
    # given a listing Crossport believes live on Amazon US, which Amazon does not hold (as after
    # a listing deleted in Seller Central): patchListingsItem answers 200 with status INVALID and
    # its issues (ListingsItemSubmissionResponse in specs/sp-api/models/listings-items-api-model/
    # listingsItems_2021-08-01.json; the emulator's api_listings.patch_listings_item)
    sku = "CP-001"
    db.session.add(Listing(shop_id=world.shop_id, sku=sku, marketplace_id=US, status="active",
                           product_type="KITCHEN", fulfillment_channel="FBM"))  # fmt: skip
    db.session.commit()
    # when its stock is synced
    assert sync_stock(world.shop_id, sku) == {}
    # then nothing is recorded as sent, Amazon's issue is on the listing, and an alert says so
    db.session.expire_all()
    listing = db.session.query(Listing).filter_by(sku=sku, marketplace_id=US).one()
    assert listing.quantity_sent is None
    assert [i["code"] for i in listing.amazon_issues] == ["4000004"]
    (alert,) = db.session.query(Alert).filter_by(shop_id=world.shop_id, kind="stock_refused").all()
    assert sku in alert.message and "4000004" in alert.message
    # and the next sync tries again instead of skipping the value as already on Amazon
    calls = len(world.amazon.calls("patchListingsItem"))
    sync_stock(world.shop_id, sku)
    assert len(world.amazon.calls("patchListingsItem")) == calls + 1
