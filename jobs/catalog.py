"""Catalogue jobs: store products into snapshot rows, newest state winning."""

from __future__ import annotations

import logging
from decimal import Decimal

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import ProductSnapshot, Shop, VariantSnapshot
from core.times import parse_utc
from jobs.queues import enqueue
from jobs.runs import finish_run, progress, start_run
from jobs.stores import store_for
from mapping.canonical import load_product

log = logging.getLogger("crossport.jobs")


def request_catalogue_import(shop_id: int):
    """Queue the shop's catalogue import under its one job id, whoever asks (the install, the key
    flow, the onboarding page): a waiting import is reused, a running one gets one follow-up."""
    return enqueue("jobs.catalog.import_catalogue", shop_id, queue="bulk",
                   job_id=f"catalogue:{shop_id}", title="Import the store catalogue",
                   shop_id=shop_id)  # fmt: skip


def import_catalogue(shop_id: int) -> None:
    """Every product and variant of the store into snapshots, with progress for the page."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        log.info("catalogue import skipped: shop gone", extra={"shop_id": shop_id})
        return
    run = start_run("catalogue_import", shop_id, "Import the store catalogue")
    seen, malformed = 0, []
    for raw in store_for(shop).iter_products():
        outcome = save_snapshot(shop_id, raw)
        seen += 1
        if outcome == "malformed":
            malformed.append(str(raw.get("id")))
        if seen % 50 == 0:
            progress(run, done=50, total=seen)
    run.done = seen
    message = f"{seen} products imported"
    if malformed:
        message += f"; {len(malformed)} malformed (ids {', '.join(malformed[:10])})"
    finish_run(run, message)


def refresh_product(shop_id: int, product_id: str) -> str:
    """Re-read one product from the store (webhooks may arrive out of order or be dropped)."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        return "shop gone"
    raw = store_for(shop).get_product(product_id)
    if raw is None:
        return mark_deleted(shop_id, product_id)
    return save_snapshot(shop_id, raw)


def mark_deleted(shop_id: int, product_id: str) -> str:
    snapshot = (
        db.session.query(ProductSnapshot).filter_by(shop_id=shop_id, external_id=product_id).first()
    )
    if snapshot is None:
        return "unknown"
    snapshot.deleted = True
    db.session.commit()
    return "deleted"


def save_snapshot(shop_id: int, raw: dict) -> str:
    """Insert or update one product's snapshot; an older state never overwrites a newer one.

    Returns "created", "updated", "stale" (ignored, older than what we hold) or "malformed".
    """
    try:
        return _save_snapshot(shop_id, raw)
    except IntegrityError:
        # Another job (an import beside this one, a product webhook's refresh) inserted the same
        # product or SKU between our read and our insert; SQLite has no row lock to stop it.
        # Read again: it is an update now, and the newer state still wins.
        db.session.rollback()
        return _save_snapshot(shop_id, raw)


def _save_snapshot(shop_id: int, raw: dict) -> str:
    try:
        product = load_product(raw)
    except ValidationError as exc:
        log.warning(
            "malformed product %s: %s", raw.get("id"), exc.messages, extra={"shop_id": shop_id}
        )
        return "malformed"
    updated_at = parse_utc(product["updated_at"])
    snapshot = (
        db.session.query(ProductSnapshot)
        .filter_by(shop_id=shop_id, external_id=product["id"])
        .with_for_update()
        .first()
    )
    outcome = "updated"
    if snapshot is None:
        snapshot = ProductSnapshot(shop_id=shop_id, external_id=product["id"])
        db.session.add(snapshot)
        outcome = "created"
    elif snapshot.store_updated_at and updated_at and updated_at < snapshot.store_updated_at:
        db.session.rollback()
        return "stale"
    snapshot.title = product["title"]
    snapshot.data = raw
    snapshot.store_updated_at = updated_at
    snapshot.deleted = product["status"] == "archived"
    snapshot.synced_at = utcnow()
    db.session.flush()
    _save_variants(shop_id, snapshot, product["variants"])
    db.session.commit()
    return outcome


def _save_variants(shop_id: int, snapshot: ProductSnapshot, variants: list[dict]) -> None:
    existing = {
        v.sku: v
        for v in db.session.query(VariantSnapshot).filter_by(
            shop_id=shop_id, product_id=snapshot.id
        )
    }
    for variant in variants:
        sku = variant["sku"].strip()
        if not sku:
            continue  # reported by the mapper as a listing problem, never listed
        row = existing.pop(sku, None)
        if row is None:
            row = db.session.query(VariantSnapshot).filter_by(
                shop_id=shop_id, sku=sku
            ).first() or VariantSnapshot(shop_id=shop_id, sku=sku)
            db.session.add(row)
        row.product_id = snapshot.id
        row.external_id = variant["id"]
        row.barcode = variant.get("barcode")
        row.price = Decimal(variant["price"])
        row.quantity = variant.get("quantity", 0)
        row.data = {k: v for k, v in variant.items() if k not in ("weight", "dimensions")} | {
            "weight": variant.get("weight"),
            "dimensions": variant.get("dimensions"),
        }
    for gone in existing.values():
        db.session.delete(gone)
