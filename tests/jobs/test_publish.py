"""Catalogue import and publishing through real workers, the WooCommerce and SP-API emulators."""

from collections import Counter

from core.db import db
from core.models import JobRun, Listing, ProductSnapshot, Submission
from jobs.queues import enqueue
from tests.jobs.conftest import MARKETS, assign_product_types, wait_for


def _run(world, mode: str, marketplaces=None, product_ids=None, **extra) -> JobRun:
    run = JobRun(
        shop_id=world.shop_id,
        kind="publish",
        title=f"publish ({mode})",
        status="queued",
        total=0,
        done=0,
        failed=0,
        attempts=0,
        details={
            "mode": mode,
            "marketplace_ids": marketplaces or [],
            "product_ids": product_ids or [],
            **extra,
        },
    )
    db.session.add(run)
    db.session.commit()
    enqueue("jobs.publish.run_publish", run.id, queue="listings", shop_id=world.shop_id)
    return run


def _finished(run_id):
    run = db.session.get(JobRun, run_id)
    return run if run.status in ("done", "failed") else None


def test_import_validate_and_publish_to_eight_marketplaces(world):
    world.start_workers(2)
    # given the catalogue imported from the store
    enqueue("jobs.catalog.import_catalogue", world.shop_id, queue="bulk", shop_id=world.shop_id)
    snapshots = wait_for(
        lambda: db.session.query(ProductSnapshot).count() >= 30, 60, message=world.worker_logs
    )
    assert snapshots
    assign_product_types(world.shop_id)
    # when every product is validated for every marketplace
    run = _run(world, "validate")
    done = wait_for(lambda: _finished(run.id), 120, message=world.worker_logs)
    assert done.status == "done", done.message
    statuses = Counter(row.status for row in db.session.query(Listing))
    assert statuses["ready"] > 0, "\n".join(map(str, [statuses, done.message, *_debug_problems()]))
    # then nothing went to Amazon yet
    assert world.amazon.calls("putListingsItem") == []
    # when the valid ones are published
    run = _run(world, "publish")
    done = wait_for(lambda: _finished(run.id), 180, message=world.worker_logs)
    assert done.status == "done", done.message
    summary = done.details["summary"]
    assert summary["sent"] > 0 and summary["rejected"] == 0, done.message
    # feeds are followed to their reports, then listings are read back until Amazon sells them
    wait_for(
        lambda: all(
            f.status == "done" for f in db.session.query(Submission).filter_by(kind="feed")
        ),
        120,
        message=world.worker_logs,
    )
    wait_for(
        lambda: db.session.query(Listing).filter_by(status="active").count() == summary["sent"],
        120,
        message=lambda: str(Counter(row.status for row in db.session.query(Listing))),
    )
    active = db.session.query(Listing).filter_by(status="active")
    markets_sent = {row.marketplace_id for row in active}
    assert markets_sent == {m for _, m in MARKETS.values()}
    # nothing with local problems was sent
    amazon_listings = world.amazon.control("GET", "listings")["listings"]
    on_amazon = {(row["sku"], row["marketplace_id"]) for row in amazon_listings}
    held = {
        (r.sku, r.marketplace_id) for r in db.session.query(Listing).filter_by(status="problems")
    }
    assert held and not (held & on_amazon)
    assert len(on_amazon) == summary["sent"]


def _debug_problems():
    rows = db.session.query(Listing).limit(2000).all()
    c = Counter()
    for r in rows:
        for p in r.local_problems:
            c[(r.marketplace_id[:4], p["attribute"], p["code"])] += 1
    return c.most_common(40)


def test_a_product_missing_a_required_attribute_for_de_is_held_for_de_and_published_elsewhere(
    world,
):
    from core.models import MappingProfile, TargetMarketplace
    from tests.jobs.helpers import import_and_map, publish

    world.start_workers(2)
    snapshots = import_and_map(world)
    product = next(
        s for s in snapshots if s.product_type == "KITCHEN" and len(s.data["variants"]) == 1
    )
    # the seller has not given the GPSR safety attestation, which the EU requires
    profile = db.session.query(MappingProfile).filter_by(product_type="KITCHEN").one()
    profile.attributes = {
        k: v for k, v in profile.attributes.items() if k != "gpsr_safety_attestation"
    }
    db.session.commit()
    de = db.session.query(TargetMarketplace).filter_by(country_code="DE").one()
    us = db.session.query(TargetMarketplace).filter_by(country_code="US").one()
    publish(world, product_ids=[product.id], marketplace_ids=[de.marketplace_id, us.marketplace_id])
    sku = product.data["variants"][0]["sku"]
    held = db.session.query(Listing).filter_by(sku=sku, marketplace_id=de.marketplace_id).one()
    sent = db.session.query(Listing).filter_by(sku=sku, marketplace_id=us.marketplace_id).one()
    assert held.status == "problems"
    # the one blocking reason (a language warning may come along, depending on the product)
    errors = [p for p in held.local_problems if p["severity"] == "error"]
    assert [p["attribute"] for p in errors] == ["gpsr_safety_attestation"]
    assert "Amazon.de" in errors[0]["message"]
    assert sent.status in ("submitted", "active")
    on_amazon = {
        (r["sku"], r["marketplace_id"]) for r in world.amazon.control("GET", "listings")["listings"]
    }
    assert (sku, us.marketplace_id) in on_amazon and (sku, de.marketplace_id) not in on_amazon


def test_a_429_storm_and_a_5xx_burst_end_with_everything_published_once(world):
    from tests.jobs.helpers import import_and_map, publish

    world.start_workers(2)
    snapshots = import_and_map(world)
    kitchen = [s.id for s in snapshots if s.product_type == "KITCHEN"][:4]
    world.amazon.control(
        "POST", "faults", json={"kind": "429", "operation": "putListingsItem", "count": 8}
    )
    world.amazon.control(
        "POST", "faults", json={"kind": "500", "operation": "putListingsItem", "count": 3}
    )
    done = publish(world, product_ids=kitchen, marketplace_ids=["ATVPDKIKX0DER"])
    summary = done.details["summary"]
    assert summary["sent"] == len(kitchen) and summary["rejected"] == 0, done.message
    puts = world.amazon.calls("putListingsItem")
    assert [c["status"] for c in puts].count(429) == 8
    assert [c["status"] for c in puts].count(500) == 3
    assert [c["status"] for c in puts].count(200) == len(kitchen)  # each SKU accepted once
