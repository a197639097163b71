"""Amazon orders into the store, exactly once, along one path.

The poll (`import_orders`) claims each order once: a unique OrderLink row per (Amazon order id,
marketplace), inserted before anything is created. It settles what needs no store order, keeps
the order as getOrders gave it in the link's encrypted `pii` column, and queues
`create_store_order` with the link's id; the scheduler's sweep of stuck links and the seller's
retry queue or run that same job. The job holds the one lock, a Redis lock per order (two
workers never create at the same time), and the store adapter only creates, looking the store
up by the Amazon order id first unless this is the first attempt, so a worker that died after
creating the store order but before recording it is repaired, not duplicated.

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
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

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
WAITING = ("claimed", "failed")  # link states whose store order is still to be created


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
        outcome = _triage(shop, item)
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


def _triage(shop: Shop, order: dict) -> str:
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
    _keep_for_creation(link, order)
    _enqueue_creation(link)
    return "queued"


def _enqueue_creation(link: OrderLink) -> None:
    """One creation job per order: the poll, the stuck sweep and a repeat notification coalesce."""
    enqueue(
        "jobs.orders.create_store_order",
        link.id,
        queue="orders",
        job_id=f"order-create:{link.marketplace_id}:{link.amazon_order_id}",
        title=f"Amazon order {link.amazon_order_id}",
        shop_id=link.shop_id,
    )


def _keep_for_creation(link: OrderLink, order: dict) -> None:
    """The order as getOrders gave it, buyer's address included, for its creation job (job
    arguments are ids only): in the link's encrypted `pii` column, where the retention purge and
    customers/redact erase it, until creation keeps only the address. Written only while the
    link waits, and without touching updated_at, which dates a stuck import."""
    head = {k: v for k, v in order.items() if k not in ("ShippingAddress", "BuyerInfo")}
    kept = {"order": head, "address": order.get("ShippingAddress"), "buyer": order.get("BuyerInfo")}
    sealed = json.dumps({part: value for part, value in kept.items() if value})
    if link.pii == sealed:
        return
    db.session.execute(
        update(OrderLink)
        .where(OrderLink.id == link.id, OrderLink.state.in_(WAITING))
        .values(pii=sealed, updated_at=OrderLink.updated_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _kept_order(link: OrderLink) -> dict | None:
    """The order `_keep_for_creation` kept on the link, or None (a poll died before keeping it)."""
    try:
        kept = json.loads(link.pii or "{}")
    except ValueError:
        return None
    if not isinstance(kept, dict) or not isinstance(kept.get("order"), dict):
        return None
    order = dict(kept["order"])
    if kept.get("address"):
        order["ShippingAddress"] = kept["address"]
    if kept.get("buyer"):
        order["BuyerInfo"] = kept["buyer"]
    return order


def create_store_order(order_link_id: int) -> str:
    """The job that creates one claimed Amazon order in the store (exactly once).

    It holds the order's lock, reads the link again under it, and creates from the order the
    poll kept; without one it reads the order from Amazon, and settles it if it changed (a
    cancellation, say) since it was claimed."""
    link = db.session.get(OrderLink, order_link_id)
    if link is None:
        return "gone"
    shop = db.session.get(Shop, link.shop_id)
    account = _account_for_marketplace(link.shop_id, link.marketplace_id)
    if shop is None or shop.status != "installed" or account is None:
        return "no account"
    lock = get_redis().lock(
        redis_key("order-create", link.marketplace_id, link.amazon_order_id),
        timeout=current_app.config["SETTINGS"].order_lock_seconds,
        blocking_timeout=0,
    )
    if not lock.acquire():
        return "busy"  # another worker is creating it; the next poll sees the outcome
    try:
        db.session.refresh(link)
        if link.state not in WAITING:
            return "exists"
        seller = seller_for_account(account)
        order = _kept_order(link)
        if order is None:
            order = seller.get_order(link.marketplace_id, link.amazon_order_id)
            settled = _settle_known(shop, link, order.get("OrderStatus", ""))
            if settled is not None:
                return settled
        return _create_in_store(shop, seller, order, link)
    finally:
        lock.release()


def _stash_key(marketplace_id: str, order_id: str) -> str:
    """Where orders waited for their job in Redis before they were kept on the link; erasure
    still deletes a copy a worker of that version left (it expired within the hour)."""
    return redis_key("amazon-order", marketplace_id, order_id)


def _settle_known(shop: Shop, link: OrderLink, status: str) -> str | None:
    """What needs no store order created: one already made (follow Amazon's status), one
    cancelled before import, one not yet payable. None when the order must be created."""
    if link.state in ("created", "shipped", "cancelled"):
        _follow_status(shop, link, status)
        return "exists"
    if status == "Canceled":
        link.state, link.amazon_status, link.pii = "cancelled", status, None
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
    # encrypted, purged after shipment; the order kept for this job goes with the rest of it
    link.pii = json.dumps({"address": address}) if address else None
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
    """The seller's retry of a failed import (the Orders page): the creation job, run now."""
    return create_store_order(order_link_id)


def retry_stuck_orders(shop_id: int) -> int:
    """Queue the creation of imports left half-way (a worker died holding them) or failed,
    oldest first; the creation job decides, under the order's lock, what is still to do."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["SETTINGS"].order_lock_seconds)
    stuck = (
        db.session.query(OrderLink)
        .filter(OrderLink.shop_id == shop_id, OrderLink.state.in_(WAITING))
        .filter(OrderLink.updated_at < cutoff, OrderLink.attempts < AUTOMATIC_ATTEMPTS)
        .order_by(OrderLink.updated_at)
        .limit(50)
        .all()
    )
    for link in stuck:
        _enqueue_creation(link)
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
