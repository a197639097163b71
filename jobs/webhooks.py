"""The webhook inbox worker: one map from (platform, topic) to the job that handles it.

The intake (web/webhook_intake.py) records a WebhookEvent and enqueues `process_event(event_id)`;
this job turns the event into work. Handlers re-read the store rather than trusting the payload,
since deliveries are at least once and unordered; the payload only says what to look at.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from core.db import db, utcnow
from core.models import ProductSnapshot, VariantSnapshot, WebhookEvent
from core.redis import get_redis
from core.redis import key as redis_key
from integrations.woocommerce.products import variation_parent
from jobs.queues import enqueue

log = logging.getLogger("crossport.jobs")


def _product_id(event: WebhookEvent) -> str:
    """The store product an event is about. WooCommerce delivers a variation's change as the
    variation itself ({"id": 22, "type": "variation", "parent_id": 17}): snapshots and listings
    are kept by its parent product."""
    if event.platform == "woocommerce":
        parent = variation_parent(event.payload or {})
        if parent:
            return parent
    return event.resource_id or str(event.payload.get("id", ""))


def _product_changed(event: WebhookEvent) -> None:
    """Stock first (it oversells if late), then content and price on a slower queue."""
    product_id = _product_id(event)
    _request_stock_once(event)
    enqueue(
        "jobs.webhooks.refresh_product_and_listings",
        event.shop_id,
        product_id,
        queue="listings",
        job_id=f"product:{event.shop_id}:{product_id}",
        title=f"Product {product_id} changed",
        shop_id=event.shop_id,
    )


def _product_deleted(event: WebhookEvent) -> None:
    """Only the store, re-read now, can say a product is deleted: the topic header is not signed
    (WooCommerce and Shopify sign the body only), so a captured product.updated delivery resent
    as product.deleted must not hide a live product. Gone (404) or in the trash: the snapshot is
    marked deleted and its listings go to quantity 0; still live: the re-read only refreshed it.
    A trashed variation is delivered as product.deleted {"id": <variation id>} too
    (specs/woocommerce/captures/webhooks/scenario-variation-deleted.json): the re-read of its
    parent no longer lists it, and the stock sync of its SKU then finds it gone from the store (0).
    """
    from jobs.catalog import refresh_product
    from jobs.stock import request_stock_sync, zero_stock_for_product

    product_id = _product_id(event)
    skus_before = _skus_of_product_or_variation(event.shop_id, product_id)
    outcome = refresh_product(event.shop_id, product_id)
    snapshot = (
        db.session.query(ProductSnapshot)
        .filter_by(shop_id=event.shop_id, external_id=product_id)
        .first()
    )
    if snapshot is not None and snapshot.deleted:
        zero_stock_for_product(event.shop_id, product_id)
        return
    dropped = skus_before - _skus_still_in_snapshots(event.shop_id, skus_before)
    for sku in sorted(dropped):
        request_stock_sync(event.shop_id, sku)
    if not dropped and outcome != "shop gone":
        log.warning(
            "deletion of product %s not confirmed by the store (%s): nothing deleted",
            product_id,
            outcome,
            extra={"shop_id": event.shop_id},
        )


def _skus_of_product_or_variation(shop_id: int, external_id: str) -> set[str]:
    rows = (
        db.session.query(VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(VariantSnapshot.shop_id == shop_id)
        .filter(
            (ProductSnapshot.external_id == external_id)
            | (VariantSnapshot.external_id == external_id)
        )
    )
    return {sku for (sku,) in rows}


def _skus_still_in_snapshots(shop_id: int, skus: set[str]) -> set[str]:
    rows = db.session.query(VariantSnapshot.sku).filter(
        VariantSnapshot.shop_id == shop_id, VariantSnapshot.sku.in_(skus)
    )
    return {sku for (sku,) in rows}


def _inventory_changed(event: WebhookEvent) -> None:
    _request_stock_once(event)


def _skus_of_product(event: WebhookEvent) -> list[str]:
    if event.platform == "woocommerce" and variation_parent(event.payload or {}):
        return _skus_of_variation(event)
    product_id = event.resource_id or str(event.payload.get("id", ""))
    rows = (
        db.session.query(VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(ProductSnapshot.shop_id == event.shop_id, ProductSnapshot.external_id == product_id)
        .all()
    )
    return [sku for (sku,) in rows]


def _skus_of_variation(event: WebhookEvent) -> list[str]:
    """A WooCommerce variation's own SKU (its siblings did not change): as the snapshot knows
    it, and as the delivery names it (a variation not yet snapshotted, or a new SKU)."""
    variation_id = str(event.payload.get("id", "")) or event.resource_id
    rows = (  # through the parent: variants are indexed by product, not by their own id
        db.session.query(VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(
            ProductSnapshot.shop_id == event.shop_id,
            ProductSnapshot.external_id == variation_parent(event.payload),
            VariantSnapshot.external_id == variation_id,
        )
    )
    skus = [sku for (sku,) in rows]
    named = str(event.payload.get("sku") or "").strip()
    return skus + [named] if named and named not in skus else skus


def _skus_of_inventory_item(event: WebhookEvent) -> list[str]:
    """Shopify's inventory item id is kept only inside the variant's data: a Redis index built
    from one pass over the shop's variants (redone hourly, or when an item is missing). The
    pass runs in a job, never on a webhook's receipt (_indexed_skus_of_inventory_item)."""
    skus = _indexed_skus_of_inventory_item(event)
    if skus is not None:
        return skus
    item_id = str(event.payload.get("inventory_item_id", ""))
    mapping: dict[str, list[str]] = {}
    for v in db.session.query(VariantSnapshot).filter_by(shop_id=event.shop_id):
        item = str((v.data or {}).get("inventory_item_id", "")).rsplit("/", 1)[-1]
        if item:
            mapping.setdefault(item, []).append(v.sku)
    if mapping:
        redis = get_redis()
        index = _inventory_index(event.shop_id)
        redis.hset(index, mapping={k: json.dumps(v) for k, v in mapping.items()})
        redis.expire(index, 3600)
    return mapping.get(item_id, [])


def _indexed_skus_of_inventory_item(event: WebhookEvent) -> list[str] | None:
    """The item's SKUs as the Redis index holds them; None when it does not (a miss)."""
    item_id = str(event.payload.get("inventory_item_id", ""))
    skus = get_redis().hget(_inventory_index(event.shop_id), item_id)
    return None if skus is None else json.loads(skus)


def _inventory_index(shop_id: int | None) -> str:
    return redis_key("inventory-items", shop_id)


# Events that can carry a stock change, and how to find the SKUs they touch.
STOCK_EVENTS: dict[tuple[str, str], Callable[[WebhookEvent], list[str]]] = {
    ("shopify", "products/create"): _skus_of_product,
    ("shopify", "products/update"): _skus_of_product,
    ("shopify", "inventory_levels/update"): _skus_of_inventory_item,
    ("woocommerce", "product.created"): _skus_of_product,
    ("woocommerce", "product.updated"): _skus_of_product,
}


# How the request path finds an event's SKUs where that differs from the job's lookup: only
# from an index, never by a scan (None: not indexed, the job finds them).
ON_RECEIPT: dict[tuple[str, str], Callable[[WebhookEvent], list[str] | None]] = {
    ("shopify", "inventory_levels/update"): _indexed_skus_of_inventory_item,
}


def accept_on_receipt(event_id: int, title: str, shop_id: int | None) -> None:
    """What the intake (web/webhook_intake.py) does once an event is recorded: request the
    stock sync at once (its debounce then follows the store's own pace, not the webhook queue's
    backlog: a thousand events waiting for a worker would otherwise delay every SKU behind
    them), then queue the event. Neither may fail the delivery: the event is recorded, so the
    event job requests the stock later, and the sweep re-queues an event Redis refused."""
    try:
        _request_stock_on_receipt(event_id)
    except Exception:
        log.exception("stock request on receipt failed", extra={"event_id": event_id})
    try:
        enqueue_event(event_id, title, shop_id)
    except Exception:
        log.exception("could not enqueue webhook event", extra={"event_id": event_id})


def enqueue_event(event_id: int, title: str, shop_id: int | None) -> None:
    """Queue the event's processing under its one job id, whoever queues it (the intake, or the
    sweep re-queueing an event left unprocessed): a waiting job is reused, never doubled."""
    enqueue("jobs.webhooks.process_event", event_id, queue="webhooks",
            job_id=f"webhook-event-{event_id}", title=title, shop_id=shop_id)  # fmt: skip


def _request_stock_on_receipt(event_id: int) -> None:
    """Request the event's stock now when its SKUs are known without a scan; otherwise a job on
    the stock queue (not behind the webhook backlog) looks them up and requests it."""
    event = db.session.get(WebhookEvent, event_id)
    kind = (event.platform, event.topic) if event is not None else None
    if kind not in STOCK_EVENTS:
        return
    skus = ON_RECEIPT.get(kind, STOCK_EVENTS[kind])(event)
    if skus is None:
        enqueue(
            "jobs.webhooks.request_event_stock",
            event_id,
            queue="sync",
            job_id=f"webhook-event-stock-{event_id}",
            title="Find the SKUs of a stock change",
            shop_id=event.shop_id,
        )
        return
    _request_stock(event, skus)


def request_event_stock(event_id: int) -> str:
    """The stock request of an event whose SKUs the receipt could not name from an index."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None:
        return "gone"
    _request_stock_once(event)
    return "requested"


def _request_stock_once(event: WebhookEvent) -> None:
    """Request the stock sync of the event's SKUs unless that was done on receipt."""
    if not get_redis().get(_stock_marker(event.id)):
        _request_stock(event, STOCK_EVENTS[(event.platform, event.topic)](event))


def _request_stock(event: WebhookEvent, skus: list[str]) -> None:
    from jobs.stock import request_stock_sync

    for sku in skus:
        request_stock_sync(event.shop_id, sku)  # reads the live quantity: the payload may be stale
    get_redis().set(_stock_marker(event.id), "1", ex=86400)


def _stock_marker(event_id: int) -> str:
    return redis_key("stock-requested", event_id)


def _store_order_changed(event: WebhookEvent) -> None:
    order_id = _store_order_id(event)
    if order_id:
        enqueue(
            "jobs.shipments.sync_store_order",
            event.shop_id,
            order_id,
            queue="orders",
            job_id=f"store-order:{event.shop_id}:{order_id}",
            title=f"Store order {order_id} changed",
            shop_id=event.shop_id,
        )


def _settled_on_receipt(event: WebhookEvent) -> None:
    """Shopify's uninstall and compliance topics are settled by the route before the event is
    recorded (web/shopify_webhooks.py): once, at once, whether or not a worker runs."""


def _store_order_id(event: WebhookEvent) -> str:
    payload = event.payload
    if event.topic.startswith("fulfillments/"):
        return str(payload.get("order_id", ""))
    return str(payload.get("id", "")) or event.resource_id


HANDLERS: dict[tuple[str, str], Callable[[WebhookEvent], None]] = {
    ("shopify", "products/create"): _product_changed,
    ("shopify", "products/update"): _product_changed,
    ("shopify", "products/delete"): _product_deleted,
    ("shopify", "inventory_levels/update"): _inventory_changed,
    ("shopify", "fulfillments/create"): _store_order_changed,
    ("shopify", "fulfillments/update"): _store_order_changed,
    ("shopify", "orders/fulfilled"): _store_order_changed,
    ("shopify", "orders/cancelled"): _store_order_changed,
    ("shopify", "app/uninstalled"): _settled_on_receipt,
    ("shopify", "shop/redact"): _settled_on_receipt,
    ("shopify", "customers/redact"): _settled_on_receipt,
    ("shopify", "customers/data_request"): _settled_on_receipt,
    ("woocommerce", "product.created"): _product_changed,
    ("woocommerce", "product.updated"): _product_changed,
    ("woocommerce", "product.deleted"): _product_deleted,
    ("woocommerce", "order.updated"): _store_order_changed,
}


def process_event(event_id: int) -> str:
    """Handle one recorded webhook; an unknown topic is recorded as ignored, not an error."""
    event = db.session.get(WebhookEvent, event_id)
    if event is None:
        log.info("webhook event %s vanished", event_id)
        return "gone"
    if event.status == "done":
        return "already done"
    handler = HANDLERS.get((event.platform, event.topic))
    if handler is None:
        event.status, event.processed_at = "ignored", utcnow()
        db.session.commit()
        return "ignored"
    try:
        handler(event)
    except Exception as exc:
        db.session.rollback()
        event = db.session.get(WebhookEvent, event_id)
        event.status, event.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise  # RQ retries it; the inbox row shows the reason meanwhile
    event.status, event.processed_at, event.error = "done", utcnow(), ""
    db.session.commit()
    return "done"


def refresh_product_and_listings(shop_id: int, product_id: str) -> str:
    """A product changed in the store: refresh its snapshot, then its stock, price and content."""
    from jobs.catalog import refresh_product
    from jobs.listing_sync import sync_product_listings

    outcome = refresh_product(shop_id, product_id)
    if outcome in ("created", "updated"):
        sync_product_listings(shop_id, product_id)
    return outcome
