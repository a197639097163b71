"""Steps shared by the jobs tests: import, map and publish through real workers."""

from __future__ import annotations

from core.db import db
from core.models import JobRun, Listing, ProductSnapshot, Shop, User
from jobs.queues import enqueue
from tests.jobs.conftest import assign_product_types, wait_for
from web.auth import Identity, issue_page_token


def import_and_map(world) -> list[ProductSnapshot]:
    enqueue("jobs.catalog.import_catalogue", world.shop_id, queue="bulk", shop_id=world.shop_id)
    wait_for(
        lambda: db.session.query(JobRun).filter_by(kind="catalogue_import", status="done").first(),
        60,
        message=world.worker_logs,
    )
    assign_product_types(world.shop_id)
    return db.session.query(ProductSnapshot).filter_by(shop_id=world.shop_id).all()


def publish(
    world,
    mode: str = "publish",
    product_ids=None,
    marketplace_ids=None,
    timeout: float = 180,
    **extra,
) -> JobRun:
    shop_id = world.shop_id or db.session.query(ProductSnapshot.shop_id).first()[0]
    run = JobRun(
        shop_id=shop_id,
        kind="publish",
        title=f"publish ({mode})",
        status="queued",
        total=0,
        done=0,
        failed=0,
        attempts=0,
        details={
            "mode": mode,
            "marketplace_ids": marketplace_ids or [],
            "product_ids": product_ids or [],
            **extra,
        },
    )
    db.session.add(run)
    db.session.commit()
    enqueue("jobs.publish.run_publish", run.id, queue="listings", shop_id=shop_id)

    def finished():
        row = db.session.get(JobRun, run.id)
        return row if row.status in ("done", "failed") else None

    done = wait_for(finished, timeout, message=getattr(world, "worker_logs", None) or world.logs)
    assert done.status == "done", done.message
    return done


def wait_until_active(world, expected: int, timeout: float = 120) -> None:
    wait_for(
        lambda: db.session.query(Listing).filter_by(status="active").count() >= expected,
        timeout,
        message=world.worker_logs,
    )


def amazon_quantity(world, sku: str) -> dict[str, int]:
    """What each marketplace on the emulator holds as the SKU's quantity."""
    quantities = {}
    for row in world.amazon.control("GET", "listings")["listings"]:
        if row["sku"] == sku:
            availability = row["attributes"].get("fulfillment_availability") or [{}]
            quantities[row["marketplace_id"]] = availability[0].get("quantity")
    return quantities


def admin_headers(world) -> dict:
    """Headers of an admin of the world's WooCommerce shop (a page token, as the page holds)."""
    shop = db.session.get(Shop, world.shop_id)
    user = db.session.query(User).filter_by(shop_id=shop.id, platform_user_id="admin-7").first()
    if user is None:
        user = User(shop_id=shop.id, platform_user_id="admin-7", role="admin", name="Ada Admin")
        db.session.add(user)
        db.session.commit()
    identity = Identity(platform="woocommerce", domain=shop.domain, user_id="admin-7")
    return {"Authorization": f"Bearer {issue_page_token(shop, user, identity)}"}
