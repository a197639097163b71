"""The periodic sweep: compare store, listings and Amazon, repair drift, report what it repaired.

Webhooks get lost (WooCommerce never retries and disables failing ones; Shopify gives up after
four hours) and calls fail; this sweep is why that costs minutes of drift, not oversold stock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from core.db import db, utcnow
from core.models import (
    Listing,
    OrderLink,
    ProductSnapshot,
    Shop,
    TargetMarketplace,
    VariantSnapshot,
)
from jobs.catalog import refresh_product, save_snapshot
from jobs.checkpoints import checkpoint_row
from jobs.listing_status import request_status_refresh
from jobs.queues import enqueue
from jobs.runs import finish_run, start_run
from jobs.stock import LIVE_STATUSES, request_stock_sync
from jobs.stores import store_for

log = logging.getLogger("crossport.jobs")

STOCK_BATCH = 100
SHIPMENT_GRACE = timedelta(minutes=10)  # fulfilment webhooks usually arrive within this


def reconcile_shop(shop_id: int) -> dict:
    """One sweep of one shop; the counts land in a JobRun row the seller can read."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.status != "installed":
        return {}
    run = start_run("reconcile", shop_id, "Reconcile store and Amazon")
    repaired = {
        "products": _changed_products(shop),
        "stock": _stock_drift(shop),
        "shipments": _unconfirmed_shipments(shop),
    }
    if shop.platform == "woocommerce":
        repaired["webhooks"] = _woocommerce_webhooks(shop)
    enqueue(
        "jobs.fba.read_fba_stock",
        shop_id,
        queue="periodic",
        job_id=f"fba:{shop_id}",
        title="Read FBA stock from Amazon",
        shop_id=shop_id,
    )
    for target in db.session.query(TargetMarketplace).filter_by(shop_id=shop_id, enabled=True):
        request_status_refresh(shop_id, target.marketplace_id)
    finish_run(run, ", ".join(f"{k}: {v}" for k, v in repaired.items()))
    run.details = repaired
    db.session.commit()
    return repaired


def _changed_products(shop: Shop) -> int:
    """Products changed since the last sweep whose webhook never came are refreshed now."""
    checkpoint = checkpoint_row(shop.id, "reconcile:products")
    started = utcnow() - timedelta(minutes=2)  # clock skew between store and us
    repaired = 0
    for raw in store_for(shop).iter_products(updated_since=checkpoint.value or None):
        if save_snapshot(shop.id, raw) in ("created", "updated"):
            repaired += 1
            enqueue(
                "jobs.listing_sync.sync_product_listings",
                shop.id,
                str(raw["id"]),
                queue="sync",
                job_id=f"listings:{shop.id}:{raw['id']}",
                title="Update listings of a changed product",
                shop_id=shop.id,
            )
    checkpoint = checkpoint_row(shop.id, "reconcile:products")
    checkpoint.value = started.isoformat() + "Z"
    db.session.commit()
    return repaired


def _stock_drift(shop: Shop) -> int:
    """SKUs whose store stock differs from what Amazon was last sent get a stock sync."""
    live = (
        db.session.query(Listing.sku)
        .filter(
            Listing.shop_id == shop.id,
            Listing.status.in_(LIVE_STATUSES),
            Listing.fulfillment_channel == "FBM",
        )
        .distinct()
        .all()
    )
    skus = [sku for (sku,) in live]
    store = store_for(shop)
    drifted, gone = 0, []
    for start in range(0, len(skus), STOCK_BATCH):
        batch = skus[start : start + STOCK_BATCH]
        stock = store.get_stock(batch)
        gone += [sku for sku in batch if sku not in stock]
        known = {
            v.sku: v.quantity
            for v in db.session.query(VariantSnapshot).filter(
                VariantSnapshot.shop_id == shop.id, VariantSnapshot.sku.in_(batch)
            )
        }
        for sku in batch:
            if stock.get(sku, 0) != known.get(sku) or _unsent(shop.id, sku):
                request_stock_sync(shop.id, sku)
                drifted += 1
    _recheck_products_of(shop, gone)
    return drifted


def _recheck_products_of(shop: Shop, skus: list[str]) -> None:
    """Live SKUs the store no longer lists: their products are read again, so one deleted for
    good is marked deleted (a permanent delete sends no webhook at all, only the trash does:
    WooCommerce 11 captures, webhooks/scenario-product-deleted-permanently.json), and one whose
    SKU changed is refreshed. Their stock sync, requested above, sends 0 meanwhile."""
    if not skus:
        return
    product_ids = {
        external_id
        for (external_id,) in db.session.query(ProductSnapshot.external_id)
        .join(VariantSnapshot, VariantSnapshot.product_id == ProductSnapshot.id)
        .filter(
            ProductSnapshot.shop_id == shop.id,
            ProductSnapshot.deleted.is_(False),
            VariantSnapshot.sku.in_(skus),
        )
    }
    db.session.commit()  # no transaction left open across the store's answers
    for product_id in sorted(product_ids):
        refresh_product(shop.id, product_id)


def _unsent(shop_id: int, sku: str) -> bool:
    return (
        db.session.query(Listing.id)
        .filter(
            Listing.shop_id == shop_id,
            Listing.sku == sku,
            Listing.quantity_sent.is_(None),
            Listing.status.in_(LIVE_STATUSES),
            Listing.fulfillment_channel == "FBM",
        )
        .first()
        is not None
    )


def _unconfirmed_shipments(shop: Shop) -> int:
    """Orders imported a while ago and not shipped: look for a fulfilment we did not hear of."""
    cutoff = utcnow() - SHIPMENT_GRACE
    links = (
        db.session.query(OrderLink.store_order_id)
        .filter(
            OrderLink.shop_id == shop.id,
            OrderLink.state == "created",
            OrderLink.fulfillment_channel == "MFN",
            OrderLink.created_at < cutoff,
        )
        .limit(200)
        .all()
    )
    for (store_order_id,) in links:
        enqueue(
            "jobs.shipments.sync_store_order",
            shop.id,
            store_order_id,
            queue="orders",
            job_id=f"store-order:{shop.id}:{store_order_id}",
            title="Check a store order for shipments",
            shop_id=shop.id,
        )
    return len(links)


def _woocommerce_webhooks(shop: Shop) -> str:
    """Re-create missing and re-enable disabled WooCommerce webhooks."""
    from integrations.woocommerce.connection import client_for
    from integrations.woocommerce.reconcile import delivery_url, ensure_webhooks

    connection = shop.connection
    public_url = current_app.config["SETTINGS"].public_url
    repair = ensure_webhooks(
        client_for(connection), delivery_url(public_url), connection.webhook_secret
    )
    return f"created {len(repair.created)}, re-enabled {len(repair.reactivated)}"
