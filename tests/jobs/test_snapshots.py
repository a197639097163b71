"""Snapshots: an older store payload never overwrites newer state (webhooks arrive unordered)."""

from core.db import db
from core.models import ProductSnapshot, Shop, VariantSnapshot
from jobs.catalog import save_snapshot


def _product(title: str, updated_at: str, price: str = "10.00") -> dict:
    return {
        "id": "7",
        "title": title,
        "updated_at": updated_at,
        "variants": [
            {"id": "71", "sku": "SKU-7", "price": price, "currency": "USD", "quantity": 3}
        ],
    }


def test_newest_state_wins_whatever_the_arrival_order(app):
    shop = Shop(platform="shopify", domain="order.myshopify.com")
    db.session.add(shop)
    db.session.commit()
    assert save_snapshot(shop.id, _product("v2", "2026-11-26T10:00:02Z", "12.00")) == "created"
    # an older delivery arrives late
    assert save_snapshot(shop.id, _product("v1", "2026-11-26T10:00:01Z", "11.00")) == "stale"
    snapshot = db.session.query(ProductSnapshot).one()
    assert snapshot.title == "v2"
    assert str(db.session.query(VariantSnapshot).one().price).startswith("12")
    # a newer one still applies
    assert save_snapshot(shop.id, _product("v3", "2026-11-26T10:00:03Z")) == "updated"
    assert db.session.query(ProductSnapshot).one().title == "v3"


def test_a_malformed_product_is_reported_not_stored(app):
    shop = Shop(platform="woocommerce", domain="https://shop.example")
    db.session.add(shop)
    db.session.commit()
    assert (
        save_snapshot(shop.id, {"id": "8", "title": "x", "variants": [{"sku": "A"}]}) == "malformed"
    )
    assert db.session.query(ProductSnapshot).count() == 0


def test_a_product_inserted_by_another_job_meanwhile_is_updated_not_failed(app):
    """Two imports of one shop (the install's and the page's), or an import and a product
    webhook, insert the same product: the one that loses the race updates it instead."""
    from sqlalchemy import event, insert

    shop = Shop(platform="shopify", domain="race.myshopify.com")
    db.session.add(shop)
    db.session.commit()
    raced = []

    def the_other_job_inserts_first(session, context, instances):
        if raced:
            return
        raced.append(True)
        with db.engine.begin() as other:  # another job's connection, committed at once
            other.execute(insert(ProductSnapshot).values(
                shop_id=shop.id, external_id="7", title="from the other job", data={},
                deleted=False))  # fmt: skip

    event.listen(db.session, "before_flush", the_other_job_inserts_first)
    try:
        outcome = save_snapshot(shop.id, _product("ours", "2026-11-26T10:00:02Z"))
    finally:
        event.remove(db.session, "before_flush", the_other_job_inserts_first)
    assert outcome == "updated"
    assert [s.title for s in db.session.query(ProductSnapshot)] == ["ours"]
    assert db.session.query(VariantSnapshot).one().sku == "SKU-7"
