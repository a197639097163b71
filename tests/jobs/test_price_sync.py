"""Price and content in step: a store price change, a price-rule save and a mapping edit reach the
live listings on Amazon, only where something changed, and keep what the seller holds on Amazon
beside them (a B2B offer). Real workers, the WooCommerce and SP-API emulators over HTTP."""

from __future__ import annotations

import time
from decimal import Decimal

from core.db import db
from core.models import JobRun, Listing, MappingProfile, TargetMarketplace
from integrations.amazon import listings
from jobs.amazon import seller_for
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import admin_headers, import_and_map, publish, wait_until_active


def _published_kitchen_product(world):
    world.start_workers(2)
    snapshots = import_and_map(world)
    product = next(
        s for s in snapshots if s.product_type == "KITCHEN" and len(s.data["variants"]) == 1
    )
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    return product, product.data["variants"][0]["sku"]


def _offers(world, sku: str) -> dict[str, dict[str, float]]:
    """Per marketplace on the emulator: audience -> price of the SKU's offers."""
    found = {}
    for row in world.amazon.control("GET", "listings")["listings"]:
        if row["sku"] == sku:
            found[row["marketplace_id"]] = {
                o.get("audience", "ALL"): o["our_price"][0]["schedule"][0]["value_with_tax"]
                for o in row["attributes"].get("purchasable_offer", [])
            }
    return found


def _patches_by_marketplace(world, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in world.amazon.calls("patchListingsItem")[since:]:
        counts[call["marketplace_ids"]] = counts.get(call["marketplace_ids"], 0) + 1
    return counts


def _market(country: str) -> str:
    return db.session.query(TargetMarketplace).filter_by(country_code=country).one().marketplace_id


def _sent_prices(sku: str) -> dict[str, float]:
    db.session.expire_all()
    return {
        r.marketplace_id: float(r.price)
        for r in db.session.query(Listing).filter_by(sku=sku, status="active")
    }


def test_a_store_price_change_reprices_every_marketplace_and_keeps_a_b2b_offer(world):
    product, sku = _published_kitchen_product(world)
    before = _offers(world, sku)
    de = _market("DE")
    # given a B2B price the seller keeps on Amazon for DE (set outside Crossport)
    b2b = {"currency": "EUR", "marketplace_id": de, "audience": "B2B",
           "our_price": [{"schedule": [{"value_with_tax": 9.5}]}]}  # fmt: skip
    row = db.session.query(Listing).filter_by(sku=sku, marketplace_id=de).one()
    seller = seller_for(world.shop_id, de)
    added = listings.patch_listing(seller.client, de, sku, row.product_type,
                                   [{"op": "merge", "path": "/attributes/purchasable_offer",
                                     "value": [b2b]}])  # fmt: skip
    assert added["status"] == "ACCEPTED"
    assert _offers(world, sku)[de]["B2B"] == 9.5
    variant = product.data["variants"][0]
    store_price = Decimal(variant["price"])  # on sale: the sale price, the regular one beside it
    regular = Decimal(variant.get("compare_at_price") or variant["price"])
    patches_before = len(world.amazon.calls("patchListingsItem"))
    # when the shop manager doubles the prices in wp-admin
    new_price = (store_price * 2).quantize(Decimal("0.01"))
    world.store.control(
        f"products/{product.external_id}/price",
        {"regular_price": str(regular * 2), "sale_price": str(new_price)},
    )
    world.store.wait()

    # then every marketplace holds the price Crossport computed for it, and it moved
    def repriced() -> bool:
        held, sent = _offers(world, sku), _sent_prices(sku)
        return sent[_market("US")] == float(new_price) and all(
            held[m]["ALL"] == sent[m] != before[m]["ALL"] for m in before
        )

    wait_for(
        repriced,
        60,
        message=lambda: (
            f"{before}\n{_offers(world, sku)}\n{_sent_prices(sku)}\n" + world.worker_logs()[-3000:]
        ),
    )
    after = _offers(world, sku)
    assert all(after[m]["ALL"] > before[m]["ALL"] for m in before), (before, after)
    # and the B2B offer is as the seller left it
    assert after[de]["B2B"] == 9.5
    # one patch per marketplace for prices and content together (plus at most one from the stock
    # sync the product webhook also asks for), never one per attribute
    counts = _patches_by_marketplace(world, patches_before)
    assert set(counts) == set(before) and all(n <= 2 for n in counts.values()), counts


def test_a_price_rule_saved_on_the_page_reprices_that_marketplace_only(world):
    product, sku = _published_kitchen_product(world)
    before = _offers(world, sku)
    de = _market("DE")
    patches_before = len(world.amazon.calls("patchListingsItem"))
    # when an admin saves a 10 % markup for DE on the pricing page
    answer = world.app.test_client().put(
        f"/api/pricing/{de}", json={"markup_percent": "10"}, headers=admin_headers(world)
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # then DE's listing is re-priced on Amazon, about 10 % up
    wait_for(
        lambda: _offers(world, sku)[de]["ALL"] != before[de]["ALL"],
        60,
        message=lambda: f"{_offers(world, sku)}\n{world.worker_logs()[-3000:]}",
    )
    ratio = Decimal(str(_offers(world, sku)[de]["ALL"])) / Decimal(str(before[de]["ALL"]))
    assert Decimal("1.08") <= ratio <= Decimal("1.12"), ratio
    run = wait_for(
        lambda: db.session.query(JobRun).filter_by(kind="reprice", status="done").first(), 30
    )
    assert run.message == "1 listings re-priced"
    # and no other marketplace was sent anything (their prices did not change)
    assert _patches_by_marketplace(world, patches_before) == {de: 1}
    assert {m: p for m, p in _offers(world, sku).items() if m != de} == {
        m: p for m, p in before.items() if m != de
    }
    # saving the same rule again sends nothing and queues no re-pricing
    again = world.app.test_client().put(
        f"/api/pricing/{de}", json={"markup_percent": "10"}, headers=admin_headers(world)
    )
    assert again.status_code == 200
    assert db.session.query(JobRun).filter_by(kind="reprice").count() == 1


def test_a_mapping_edit_updates_the_live_listings_of_its_product_type(world):
    product, sku = _published_kitchen_product(world)
    profile = db.session.query(MappingProfile).filter_by(product_type="KITCHEN").one()
    listed = {r.marketplace_id for r in db.session.query(Listing).filter_by(sku=sku)}

    def materials():
        return {
            row["marketplace_id"]: [m["value"] for m in row["attributes"].get("material", [])]
            for row in world.amazon.control("GET", "listings")["listings"]
            if row["sku"] == sku
        }

    assert set(materials()) == listed and all(v == ["Stoneware"] for v in materials().values())
    # when the seller changes the material constant on the mapping page
    view = world.app.test_client().get(f"/api/mappings/{profile.id}",
                                       headers=admin_headers(world)).json  # fmt: skip
    attributes = {**view["attributes"], "material": {"source": "constant", "value": "Porcelain"}}
    answer = world.app.test_client().put(
        f"/api/mappings/{profile.id}",
        json={"product_type": "KITCHEN", "attributes": attributes,
              "overrides": view.get("overrides", {})},
        headers=admin_headers(world),
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # then every marketplace's listing says Porcelain
    wait_for(
        lambda: all(v == ["Porcelain"] for v in materials().values()),
        60,
        message=lambda: f"{materials()}\n{world.worker_logs()[-3000:]}",
    )


def test_a_variations_price_change_reaches_its_child_listing_only(world):
    world.start_workers(2)
    snapshots = import_and_map(world)
    shirt = next(s for s in snapshots if s.product_type == "SHIRT" and len(s.data["variants"]) > 1)
    done = publish(world, product_ids=[shirt.id])
    wait_until_active(world, done.details["summary"]["sent"])
    changed, unchanged = shirt.data["variants"][0], shirt.data["variants"][1]
    before = {v["sku"]: _offers(world, v["sku"]) for v in (changed, unchanged)}
    assert before[changed["sku"]], "the variation is listed"
    patches_before = len(world.amazon.calls("patchListingsItem"))
    # when the shop manager raises one variation's price
    new_price = (Decimal(changed["price"]) + 5).quantize(Decimal("0.01"))
    world.store.control(
        f"products/{changed['id']}/price",
        {"regular_price": str(new_price), "sale_price": ""},
    )
    world.store.wait()
    # then that variation's listing is re-priced everywhere it is listed
    wait_for(
        lambda: all(
            _offers(world, changed["sku"])[m]["ALL"] != p["ALL"]
            for m, p in before[changed["sku"]].items()
        ),
        60,
        message=lambda: f"{_offers(world, changed['sku'])}\n{world.worker_logs()[-3000:]}",
    )
    assert _sent_prices(changed["sku"])[_market("US")] == float(new_price)
    # and its sibling keeps its prices: one patch per marketplace in all, none for unchanged
    # stock (publish recorded the quantities it sent)
    assert _offers(world, unchanged["sku"]) == before[unchanged["sku"]]
    time.sleep(2)  # a straggling stock job would be counted
    assert len(world.amazon.calls("patchListingsItem")) - patches_before == len(
        before[changed["sku"]]
    ), "\n".join(x for x in world.worker_logs().splitlines() if "patch" in x or "stock" in x)
