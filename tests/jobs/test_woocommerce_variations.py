"""What a real WooCommerce 11 store showed (issue 15): a variation's change arrives as the
variation itself, and a product deleted for good sends no webhook at all. Both must still reach
Amazon: the variation's stock and price on each marketplace it is listed in, and quantity 0 for
the deleted product once the reconciliation sweep finds it. Real workers, the WooCommerce and
SP-API emulators over HTTP, the store's REST API through Crossport's own client."""

from __future__ import annotations

from decimal import Decimal

from core.db import db
from core.models import Listing, ProductSnapshot, TargetMarketplace
from integrations.woocommerce.client import WooClient
from jobs.queues import enqueue
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import amazon_quantity, import_and_map, publish, wait_until_active


def _market(country: str) -> str:
    return db.session.query(TargetMarketplace).filter_by(country_code=country).one().marketplace_id


def _store_client(world) -> WooClient:
    """The shop manager's REST key, as a script or an ERP would use it."""
    key = world.store.key()
    return WooClient(
        world.store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(world.store.host,),
        recorder=lambda **f: None,
    )


def _amazon_prices(world, sku: str) -> dict[str, float]:
    """Per marketplace on the emulator: the SKU's price for all buyers."""
    return {
        row["marketplace_id"]: next(
            o["our_price"][0]["schedule"][0]["value_with_tax"]
            for o in row["attributes"].get("purchasable_offer", [])
            if o.get("audience", "ALL") == "ALL"
        )
        for row in world.amazon.control("GET", "listings")["listings"]
        if row["sku"] == sku
    }


def _sent_prices(sku: str) -> dict[str, float]:
    db.session.expire_all()
    return {r.marketplace_id: float(r.price) for r in db.session.query(Listing).filter_by(sku=sku)}


def _published(world, product_type: str, variable: bool) -> ProductSnapshot:
    """A product of that type published to Amazon US and DE, its listings live."""
    world.start_workers(2)
    snapshots = import_and_map(world)
    product = next(
        s
        for s in snapshots
        if s.product_type == product_type and (len(s.data["variants"]) > 1) == variable
    )
    markets = [_market("US"), _market("DE")]
    done = publish(world, product_ids=[product.id], marketplace_ids=markets)
    wait_until_active(world, done.details["summary"]["sent"])
    return product


def test_a_rest_variation_edit_and_a_store_sale_reach_amazon_us_and_de(world):
    shirt = _published(world, "SHIRT", variable=True)
    us, de = _market("US"), _market("DE")
    variant = shirt.data["variants"][0]
    sku = variant["sku"]
    before = _amazon_prices(world, sku)
    assert set(amazon_quantity(world, sku)) == {us, de}
    store = _store_client(world)
    # when the shop manager edits the variation over REST: stock 2, price up by 2.00
    # (the store delivers product.updated with the variation, not its parent)
    new_price = (Decimal(variant["price"]) + 2).quantize(Decimal("0.01"))
    store.put(
        f"products/{shirt.external_id}/variations/{variant['id']}",
        {"stock_quantity": 2, "regular_price": str(new_price), "sale_price": ""},
    )
    world.store.wait()

    def reached() -> bool:
        held, sent = _amazon_prices(world, sku), _sent_prices(sku)
        return (
            amazon_quantity(world, sku) == {us: 2, de: 2}
            and sent[us] == float(new_price)
            and all(held[m] == sent[m] != before[m] for m in (us, de))
        )

    wait_for(
        reached,
        60,
        message=lambda: (
            f"quantity {amazon_quantity(world, sku)}, Amazon {_amazon_prices(world, sku)} "
            f"(before {before}), sent {_sent_prices(sku)}\n{world.worker_logs()[-3000:]}"
        ),
    )
    # when the store sells one (a REST order, paid: the store reduces the variation's stock)
    store.post(
        "orders",
        {
            "status": "processing",
            "set_paid": True,
            "line_items": [{"variation_id": int(variant["id"]), "quantity": 1}],
        },
    )
    world.store.wait()
    wait_for(
        lambda: amazon_quantity(world, sku) == {us: 1, de: 1},
        60,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )


def test_a_product_deleted_for_good_is_found_by_the_sweep_and_zeroed_on_amazon(world):
    product = _published(world, "KITCHEN", variable=False)
    us, de = _market("US"), _market("DE")
    sku = product.data["variants"][0]["sku"]
    assert all(quantity > 0 for quantity in amazon_quantity(world, sku).values())
    # when the product is deleted for good over REST: the store sends no webhook at all
    _store_client(world).delete(f"products/{product.external_id}", force=True)
    world.store.wait()
    deliveries = world.store.control("deliveries", method="GET")
    assert [d for d in deliveries if d["topic"] == "product.deleted"] == []
    assert amazon_quantity(world, sku) != {us: 0, de: 0}
    # then the reconciliation sweep finds it: quantity 0 on Amazon, the product marked deleted
    enqueue("jobs.reconcile.reconcile_shop", world.shop_id, queue="periodic")
    wait_for(
        lambda: (
            amazon_quantity(world, sku) == {us: 0, de: 0}
            and db.session.get(ProductSnapshot, product.id).deleted
        ),
        90,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )
