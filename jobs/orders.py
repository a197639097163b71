"""Amazon orders into the store, exactly once.

Exactly once rests on three things: a unique OrderLink row per (Amazon order id, marketplace)
claimed before anything is created; a Redis lock per order so two workers never create at the
same time; and a lookup of the store by the Amazon order id before creating, so a worker that
died after creating the store order but before recording it is repaired, not duplicated.

Several shops may share one Amazon seller (a Shopify and a WooCommerce store on one account):
each polls every order, the first to see it claims the one link, and the creation job gives the
order to the shop whose catalogue holds its SKUs (`_owner`); an order whose SKUs are in two
shops, or in none of them, is reported, not guessed.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from core.crypto import active_keyring
from core.db import db, utcnow
from core.failpoints import failpoint
from core.models import (
    AmazonAccount,
    OrderLink,
    ProductSnapshot,
    Shop,
    TargetMarketplace,
    VariantSnapshot,
)
from core.redis import get_redis
from core.redis import key as redis_key
from core.times import parse_utc
from jobs.amazon import seller_for_account
from jobs.checkpoints import checkpoint_row
from jobs.order_followup import noted_orders, order_key, settle_noted_orders
from jobs.queues import enqueue
from jobs.runs import finish_run, progress, start_run
from jobs.stores import store_for
from mapping.orders import amazon_order_to_store_order

log = logging.getLogger("crossport.jobs")

OVERLAP = timedelta(minutes=5)  # Amazon's LastUpdateDate can lag; re-read a little
FIRST_LOOKBACK = timedelta(days=3)
IMPORTABLE = {"Unshipped", "PartiallyShipped", "Shipped"}  # Pending orders have no price yet
FAILED_ATTEMPTS_ALERT = 3
AUTOMATIC_ATTEMPTS = 10  # then only the seller's retry on the Orders page tries again
ORDER_STASH_TTL = 3600  # seconds an order read by the poll waits for its creation job


def import_orders(account_id: int) -> int:
    """Poll one seller account (one region) for orders in all its chosen marketplaces."""
    account = db.session.get(AmazonAccount, account_id)
    if account is None or account.status != "connected":
        return 0
    shop = db.session.get(Shop, account.shop_id)
    if shop is None or shop.status != "installed":
        return 0
    marketplace_ids = [
        m.marketplace_id
        for m in db.session.query(TargetMarketplace).filter_by(account_id=account.id, enabled=True)
    ]
    if not marketplace_ids:
        return 0
    checkpoint = checkpoint_row(shop.id, f"orders:{account.region}")
    since = (
        datetime.fromisoformat(checkpoint.value) - OVERLAP
        if checkpoint.value
        else utcnow() - FIRST_LOOKBACK
    )
    run = start_run("order_import", shop.id, f"Import Amazon orders ({account.region})")
    seller = seller_for_account(account)
    read, complete_until = 0, None
    noted, seen = noted_orders(account.id), set()  # orders notified before this getOrders
    outcomes: dict[str, int] = {}
    orders = seller.iter_orders(
        marketplace_ids, last_updated_after=_iso(since), with_buyer_data=True
    )
    for kind, item in orders:
        if kind == "checkpoint":
            complete_until = parse_utc(item)
            continue
        seen.add(order_key(item["MarketplaceId"], item["AmazonOrderId"]))
        outcome = _triage(shop, account, item)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        read += 1
        if read % 20 == 0:
            progress(run, done=20)
    if complete_until is not None:  # only as far as Amazon said its answer was complete
        checkpoint.value = complete_until.isoformat()
    settle_noted_orders(account.id, shop.id, noted, seen)  # Amazon's lag: one more look soon
    run.done = read
    run.details = {**(run.details or {}), "outcomes": outcomes}
    summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items()))
    finish_run(run, f"{read} orders read" + (f": {summary}" if summary else ""))
    return read


def _triage(shop: Shop, account: AmazonAccount, order: dict) -> str:
    """Claim an order and settle what needs no call to Amazon; queue the creation of a new one.

    Each new order is created by its own job, so several workers create orders side by side,
    paced together by the shared rate limiter: one job creating them in turn leaves Amazon's
    getOrderItems budget idle while it waits for the store.
    """
    link = _claim(shop.id, order)
    failpoint("order-after-claim")
    settled = _settle_known(shop, link, order.get("OrderStatus", ""))
    if settled is not None:
        return settled
    if link.state == "failed" and link.attempts >= AUTOMATIC_ATTEMPTS:
        return "failed"  # each try costs Amazon calls; the alert and the page say why
    order_id, marketplace_id = order["AmazonOrderId"], order["MarketplaceId"]
    # The order as getOrders gave it, buyer's address included, for the job (job arguments are
    # ids only): encrypted, and gone within the hour; if it expires first, the job reads the
    # order again.
    sealed = active_keyring().encrypt(json.dumps(order))
    get_redis().set(_stash_key(marketplace_id, order_id), sealed, ex=ORDER_STASH_TTL)
    enqueue(
        "jobs.orders.create_store_order",
        account.id,
        marketplace_id,
        order_id,
        queue="orders",
        job_id=f"order-create:{marketplace_id}:{order_id}",
        title=f"Amazon order {order_id}",
        shop_id=shop.id,
    )
    return "queued"


def create_store_order(account_id: int, marketplace_id: str, order_id: str) -> str:
    """The job that creates one claimed Amazon order in the store (exactly once)."""
    account = db.session.get(AmazonAccount, account_id)
    shop = db.session.get(Shop, account.shop_id) if account is not None else None
    if account is None or shop is None or shop.status != "installed":
        return "no account"
    seller = seller_for_account(account)
    redis = get_redis()
    stashed = redis.get(_stash_key(marketplace_id, order_id))
    if stashed:
        order = json.loads(active_keyring().decrypt(stashed.decode()))
    else:
        order = seller.get_order(marketplace_id, order_id)
    outcome = import_order(shop, seller, order)
    if outcome in ("created", "exists"):
        redis.delete(_stash_key(marketplace_id, order_id))
    return outcome


def _stash_key(marketplace_id: str, order_id: str) -> str:
    return redis_key("amazon-order", marketplace_id, order_id)


def import_order(shop: Shop, seller, order: dict) -> str:
    """Create one Amazon order in the store unless it already is; returns what happened."""
    order_id, marketplace_id = order["AmazonOrderId"], order["MarketplaceId"]
    link = _claim(shop.id, order)
    settled = _settle_known(shop, link, order.get("OrderStatus", ""))
    if settled is not None:
        return settled
    lock = get_redis().lock(
        redis_key("order-create", marketplace_id, order_id),
        timeout=current_app.config["SETTINGS"].order_lock_seconds,
        blocking_timeout=0,
    )
    if not lock.acquire():
        return "busy"  # another worker is creating it; the next poll sees the outcome
    try:
        db.session.refresh(link)
        if link.state != "claimed" and link.state != "failed":
            return "exists"
        return _create_in_store(shop, seller, order, link)
    finally:
        lock.release()


def _settle_known(shop: Shop, link: OrderLink, status: str) -> str | None:
    """What needs no store order created: one already made (follow Amazon's status), one
    cancelled before import, one not yet payable. None when the order must be created."""
    if link.state in ("created", "shipped", "cancelled"):
        _follow_status(shop, link, status)
        return "exists"
    if status == "Canceled":
        link.state, link.amazon_status = "cancelled", status
        db.session.commit()
        return "cancelled before import"
    if status not in IMPORTABLE:
        return "pending"
    return None


def _create_in_store(shop: Shop, seller, order: dict, link: OrderLink) -> str:
    order_id = order["AmazonOrderId"]
    # No earlier attempt can have reached the store when none was counted: attempts is
    # committed before the store is called, and the order's lock keeps other workers out.
    first_attempt = link.attempts == 0
    link.attempts += 1
    db.session.commit()  # no write lock held across the calls to Amazon and the store
    try:
        marketplace_id = order["MarketplaceId"]
        items = seller.order_items(marketplace_id, order_id)
        address = buyer = None
        if order.get("FulfillmentChannel") != "AFN":
            # only for orders the store ships itself: read with the poll's RDT, else now
            if order.get("ShippingAddress"):
                address, buyer = order["ShippingAddress"], order.get("BuyerInfo") or {}
            else:
                address, buyer = seller.order_pii(marketplace_id, order_id)
        draft = amazon_order_to_store_order(order, items, address=address, buyer=buyer)
        owner, why = _owner(shop, marketplace_id, [i.get("SellerSKU") or "" for i in items])
        if owner is None:
            return _unrouted(link, order_id, why)
        if owner.id != link.shop_id:
            link.shop_id, shop = owner.id, owner
            db.session.commit()
        store = store_for(shop)
        failpoint("order-before-store-create")
        created = store.create_order(draft, first_attempt=first_attempt)
        failpoint("order-after-store-create")  # created in the store, not yet recorded here
    except Exception as exc:
        db.session.rollback()
        link = db.session.get(OrderLink, link.id)
        link.state, link.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        if link.attempts >= FAILED_ATTEMPTS_ALERT:
            from jobs.alerts import raise_alert

            raise_alert(
                shop.id,
                "order_import_failed",
                f"Amazon order {order_id} could not be created in the store: {link.error}",
            )
        db.session.commit()
        raise
    link.state = "created"
    link.store_order_id = created.store_order_id
    link.store_order_name = created.store_order_name
    link.amazon_status = order.get("OrderStatus", "")
    link.error = ""
    link.shipment = {
        **(link.shipment or {}),
        "items": [
            {
                "sku": i.get("SellerSKU"),
                "order_item_id": i.get("OrderItemId"),
                "quantity": i.get("QuantityOrdered", 0),
            }
            for i in items
        ],
    }
    if address and order.get("FulfillmentChannel") != "AFN":
        link.pii = json.dumps({"address": address})  # encrypted; purged after shipment
    db.session.commit()
    failpoint("order-after-record")
    return "created"


def _sibling_shops(shop: Shop, marketplace_id: str) -> list[Shop]:
    """The installed shops selling in this marketplace through the same Amazon seller."""
    account = _account_for_marketplace(shop.id, marketplace_id)
    if account is None:
        return [shop]
    return (
        db.session.query(Shop)
        .join(AmazonAccount, AmazonAccount.shop_id == Shop.id)
        .filter(
            AmazonAccount.selling_partner_id == account.selling_partner_id,
            AmazonAccount.region == account.region,
            AmazonAccount.status == "connected",
            Shop.status == "installed",
        )
        .order_by(Shop.id)
        .all()
    ) or [shop]


def _owner(shop: Shop, marketplace_id: str, skus: list[str]) -> tuple[Shop | None, str]:
    """The shop whose catalogue holds the order's SKUs; None and why when that is not one shop.
    With one shop on the seller it is that shop (an unknown SKU becomes a custom line there)."""
    shops = _sibling_shops(shop, marketplace_id)
    if len(shops) == 1:
        return shops[0], ""
    rows = (
        db.session.query(VariantSnapshot.shop_id, VariantSnapshot.sku)
        .join(ProductSnapshot, ProductSnapshot.id == VariantSnapshot.product_id)
        .filter(
            VariantSnapshot.shop_id.in_([s.id for s in shops]),
            VariantSnapshot.sku.in_(skus),
            ProductSnapshot.deleted.is_(False),
        )
        .all()
    )
    holders: dict[str, set[int]] = {}
    for shop_id, sku in rows:
        holders.setdefault(sku, set()).add(shop_id)
    owners = set().union(*holders.values()) if holders else set()
    by_id = {s.id: s for s in shops}
    if len(owners) == 1:
        return by_id[owners.pop()], ""
    names = ", ".join(sorted(by_id[i].domain for i in owners)) if owners else ""
    if not owners:
        return None, f"none of its SKUs ({', '.join(sorted(set(skus)))}) is in a connected shop"
    return None, f"its SKUs are in more than one shop ({names}); create it by hand"


def _unrouted(link: OrderLink, order_id: str, why: str) -> str:
    """An order no single shop owns: reported on the claiming shop, never retried on its own."""
    from jobs.alerts import raise_alert

    link.state, link.error = "failed", f"Not created: {why}"[:2000]
    link.attempts = max(link.attempts, AUTOMATIC_ATTEMPTS)  # the seller's retry only
    raise_alert(link.shop_id, "order_unrouted", f"Amazon order {order_id} was not created: {why}")
    db.session.commit()
    return "unrouted"


def _claim(shop_id: int, order: dict) -> OrderLink:
    """The order's link row, inserted if new; the unique key settles races between workers."""
    key = {"amazon_order_id": order["AmazonOrderId"], "marketplace_id": order["MarketplaceId"]}
    link = db.session.query(OrderLink).filter_by(**key).first()
    if link is not None:
        return link
    total = order.get("OrderTotal") or {}
    link = OrderLink(
        shop_id=shop_id,
        state="claimed",
        attempts=0,
        fulfillment_channel=order.get("FulfillmentChannel", "MFN"),
        amazon_status=order.get("OrderStatus", ""),
        currency=total.get("CurrencyCode", ""),
        total=total.get("Amount", ""),
        purchase_date=parse_utc(order.get("PurchaseDate")),
        latest_ship_date=parse_utc(order.get("LatestShipDate")),
        shipment={},
        **key,
    )
    db.session.add(link)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        link = db.session.query(OrderLink).filter_by(**key).one()
    return link


def _follow_status(shop: Shop, link: OrderLink, status: str) -> None:
    """Amazon cancelled an order already in the store: cancel it there if not yet fulfilled.
    The store is the link's shop, not necessarily the one polling (shops sharing a seller)."""
    if status == "Canceled" and link.state == "created":
        owner = shop if link.shop_id == shop.id else db.session.get(Shop, link.shop_id)
        store_for(owner).cancel_order(link.store_order_id, "Cancelled on Amazon")
        link.state = "cancelled"
    link.amazon_status = status or link.amazon_status
    db.session.commit()


def retry_order(order_link_id: int) -> str:
    """The seller's retry of a failed import: read the order again and create it."""
    link = db.session.get(OrderLink, order_link_id)
    if link is None:
        return "gone"
    shop = db.session.get(Shop, link.shop_id)
    account = _account_for_marketplace(link.shop_id, link.marketplace_id)
    if shop is None or account is None:
        return "no account"
    seller = seller_for_account(account)
    return import_order(shop, seller, seller.get_order(link.marketplace_id, link.amazon_order_id))


def retry_stuck_orders(shop_id: int) -> int:
    """Re-run imports left half-way (a worker died holding them) or failed, oldest first."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["SETTINGS"].order_lock_seconds)
    stuck = (
        db.session.query(OrderLink.id)
        .filter(OrderLink.shop_id == shop_id, OrderLink.state.in_(("claimed", "failed")))
        .filter(OrderLink.updated_at < cutoff, OrderLink.attempts < AUTOMATIC_ATTEMPTS)
        .order_by(OrderLink.updated_at)
        .limit(50)
        .all()
    )
    for (link_id,) in stuck:
        retry_order(link_id)
    return len(stuck)


def _account_for_marketplace(shop_id: int, marketplace_id: str) -> AmazonAccount | None:
    target = (
        db.session.query(TargetMarketplace)
        .filter_by(shop_id=shop_id, marketplace_id=marketplace_id)
        .first()
    )
    return target.account if target else None


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"
