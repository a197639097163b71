"""Stock in step: store changes reach every FBM marketplace, coalesced, buffered, never FBA."""

import time

from core.db import db
from core.models import Listing, MappingProfile, ProductSnapshot, Submission, TargetMarketplace
from jobs.stock import FEED_BACKLOG
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import amazon_quantity, import_and_map, publish, wait_until_active


def _published_simple_product(world, **settings) -> tuple[ProductSnapshot, str, int]:
    """One simple kitchen product listed in every marketplace where it is valid, its mapping
    profile given `settings` (e.g. a handling time)."""
    world.start_workers(2)
    snapshots = import_and_map(world)
    if settings:
        profile = db.session.query(MappingProfile).filter_by(product_type="KITCHEN").one()
        profile.settings = {**profile.settings, **settings}
        db.session.commit()
    product = next(
        s for s in snapshots if s.product_type == "KITCHEN" and len(s.data["variants"]) == 1
    )
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    sku = product.data["variants"][0]["sku"]
    return product, sku, done.details["summary"]["sent"]


def test_a_burst_of_stock_changes_costs_one_call_per_marketplace_with_the_last_value(world):
    product, sku, listed = _published_simple_product(world)
    assert listed >= 1
    calls_before = len(world.amazon.calls("patchListingsItem"))
    # when the store changes the SKU's stock 100 times within a second
    started = time.monotonic()
    world.store.control(
        f"products/{product.external_id}/stock-burst", {"quantities": list(range(100, 0, -1))}
    )
    burst_seconds = time.monotonic() - started  # about a second on a loaded 2-core machine
    world.store.wait()
    # then every marketplace ends with the last value, 1
    markets = {
        r.marketplace_id for r in db.session.query(Listing).filter_by(sku=sku, status="active")
    }
    wait_for(
        lambda: all(amazon_quantity(world, sku).get(m) == 1 for m in markets),
        60,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-4000:]}",
    )
    time.sleep(3)  # let any straggling job finish, so extra calls would be counted
    patches = len(world.amazon.calls("patchListingsItem")) - calls_before
    assert patches <= len(markets), (
        f"{patches} calls for {len(markets)} marketplaces (burst took {burst_seconds:.2f} s)\n"
        + "\n".join(
            line
            for line in world.worker_logs().splitlines()
            if "patch " in line or "stock of" in line
        )
    )


def _availability(world, sku: str) -> dict[str, dict]:
    return {
        row["marketplace_id"]: row["attributes"]["fulfillment_availability"][0]
        for row in world.amazon.control("GET", "listings")["listings"]
        if row["sku"] == sku
    }


def test_a_stock_update_keeps_the_handling_time_published_with_the_listing(world):
    # given a listing published with a five-day handling time
    product, sku, listed = _published_simple_product(world, lead_time_days=5)
    published = _availability(world, sku)
    assert len(published) == listed and all(
        a["lead_time_to_ship_max_days"] == 5 for a in published.values()
    ), published
    patches_before = len(world.amazon.calls("patchListingsItem"))
    # when the store's stock changes (one SKU: a patch per marketplace)
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 9})
    world.store.wait()
    # then Amazon holds the new quantity and still the handling time
    wait_for(
        lambda: all(a.get("quantity") == 9 for a in _availability(world, sku).values()),
        60,
        message=lambda: str(_availability(world, sku)),
    )
    assert all(a["lead_time_to_ship_max_days"] == 5 for a in _availability(world, sku).values())
    assert len(world.amazon.calls("patchListingsItem")) - patches_before == listed


def test_safety_buffer_per_marketplace_and_no_push_to_fba(world):
    product, sku, _ = _published_simple_product(world)
    de = db.session.query(TargetMarketplace).filter_by(country_code="DE").one()
    de.safety_buffer = 3
    us = db.session.query(TargetMarketplace).filter_by(country_code="US").one()
    us_listing = (
        db.session.query(Listing).filter_by(sku=sku, marketplace_id=us.marketplace_id).one()
    )
    us_listing.fulfillment_channel = "FBA"  # Amazon stocks it: never pushed
    db.session.commit()
    before = amazon_quantity(world, sku)
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 7})
    world.store.wait()
    wait_for(
        lambda: amazon_quantity(world, sku).get(de.marketplace_id) == 4,
        60,
        message=lambda: str(amazon_quantity(world, sku)),
    )
    uk = db.session.query(TargetMarketplace).filter_by(country_code="UK").one()
    if uk.marketplace_id in before:
        wait_for(lambda: amazon_quantity(world, sku).get(uk.marketplace_id) == 7, 30)
    assert amazon_quantity(world, sku).get(us.marketplace_id) == before.get(us.marketplace_id)


def test_a_backlog_of_many_skus_goes_as_one_feed_per_marketplace(world):
    world.start_workers(2)
    snapshots = import_and_map(world)
    done = publish(world)
    wait_until_active(world, done.details["summary"]["sent"])
    sellable = {v["sku"] for s in snapshots for v in s.data["variants"]}  # not parents
    live = {
        (r.sku, r.marketplace_id)
        for r in db.session.query(Listing).filter_by(status="active", fulfillment_channel="FBM")
        if r.sku in sellable
    }
    skus = {sku for sku, _ in live}
    assert len(skus) > FEED_BACKLOG  # more than single patches drain within seconds
    patches_before = len(world.amazon.calls("patchListingsItem"))
    feeds_before = len(world.amazon.calls("createFeed"))
    # when the store changes the stock of every product and variation at once
    items = {str(v["id"]) for s in snapshots for v in s.data["variants"] if v["sku"] in skus}
    for item in items:
        world.store.control(f"products/{item}/stock", {"stock_quantity": 2})
    world.store.wait()
    failed_deliveries = [
        d for d in world.store.state.deliveries if not str(d["status"]).startswith("2")
    ]
    assert failed_deliveries == [], "the store could not deliver every webhook"

    # then every live listing ends with the new value
    def behind():
        held = {}
        for sku in skus:
            held.update({(sku, m): q for m, q in amazon_quantity(world, sku).items()})
        return sorted(key for key in live if held.get(key) != 2)

    wait_for(
        lambda: not behind(),
        120,
        message=lambda: (
            f"{len(behind())} of {len(live)} behind, e.g. {behind()[:5]}\n"
            + str(
                [
                    (s.kind, s.status, s.accepted, s.invalid, str(s.report)[-300:])
                    for s in db.session.query(Submission).filter(Submission.kind == "stockfeed")
                ]
            )
            + "\n".join(line for line in world.worker_logs().splitlines() if "stock" in line)[
                -3000:
            ]
        ),
    )
    # mostly through feeds: far fewer calls than one patch per SKU and marketplace
    feeds = len(world.amazon.calls("createFeed")) - feeds_before
    patches = len(world.amazon.calls("patchListingsItem")) - patches_before
    assert feeds >= 1
    assert feeds + patches < len(live) / 2, (feeds, patches, len(live))
