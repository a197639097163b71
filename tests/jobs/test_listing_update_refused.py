"""A price or content patch Amazon answers INVALID changed nothing there: the listing keeps the
payload Amazon last accepted (so the next sync sends the change again), shows Amazon's issues,
and the seller is told."""

from __future__ import annotations

from core.db import db
from core.models import Alert, Listing, MappingProfile
from integrations.amazon import listings
from jobs.amazon import seller_for
from jobs.listing_sync import resync_product_type
from tests.jobs.helpers import import_and_map, publish, wait_until_active

US = "ATVPDKIKX0DER"


def _material(row: Listing) -> list:
    return [m["value"] for m in row.payload["attributes"].get("material", [])]


def test_a_refused_patch_keeps_the_last_accepted_payload_and_alerts(world):
    world.start_workers(2)
    product = next(s for s in import_and_map(world)
                   if s.product_type == "KITCHEN" and len(s.data["variants"]) == 1)  # fmt: skip
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    world.stop_workers()
    sku = product.data["variants"][0]["sku"]
    # given the US listing deleted on Amazon behind Crossport's back (Seller Central): a patch of
    # it answers 200 with status INVALID (ListingsItemSubmissionResponse, listingsItems_2021-08-01)
    listings.delete_listing(seller_for(world.shop_id, US).client, US, sku)
    # when the seller changes the material of the product type
    profile = db.session.query(MappingProfile).filter_by(product_type="KITCHEN").one()
    profile.attributes = {**profile.attributes,
                          "material": {"source": "constant", "value": "Porcelain"}}  # fmt: skip
    db.session.commit()
    live = db.session.query(Listing).filter_by(sku=sku, status="active").count()
    sent = resync_product_type(world.shop_id, "KITCHEN")
    # then the other marketplaces took it, the US row keeps what Amazon last accepted
    assert sent == live - 1
    db.session.expire_all()
    rows = {r.marketplace_id: r for r in db.session.query(Listing).filter_by(sku=sku)}
    assert _material(rows[US]) == ["Stoneware"]
    assert [i["code"] for i in rows[US].amazon_issues] == ["4000004"]
    assert all(_material(r) == ["Porcelain"] for m, r in rows.items() if m != US and r.payload)
    (alert,) = db.session.query(Alert).filter_by(kind="listing_update_refused").all()
    assert sku in alert.message and US in alert.message
