"""How a claimed Amazon order reaches its creation job: one path, through the link's id.

The poll claims the order and keeps it on the link (the pii column, encrypted), not in a Redis
stash; the stuck-import sweep queues the same creation job, coalesced with the poll's, instead
of creating orders inline. The creation itself, exactly once, is tested end to end in
tests/jobs/test_orders.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import text

from core.crypto import active_keyring
from core.db import db, utcnow
from core.models import OrderLink
from core.redis import get_redis
from jobs.orders import AUTOMATIC_ATTEMPTS, _stash_key, _triage, retry_stuck_orders
from jobs.queues import get_queue
from tests.web.conftest import US, make_shop

ADDRESS = {"Name": "Pat Buyer", "AddressLine1": "12 Handover Lane", "City": "Town",
           "StateOrRegion": "WA", "PostalCode": "98101", "CountryCode": "US"}  # fmt: skip
BUYER = {"BuyerEmail": "pat@marketplace.amazon.example", "BuyerName": "Pat Buyer"}


def _order(amazon_id: str) -> dict:
    """An order as getOrders returns it read with the buyer-data RDT (orders-v0 Order schema)."""
    return {
        "AmazonOrderId": amazon_id,
        "MarketplaceId": US,
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "PurchaseDate": "2026-12-07T10:00:00Z",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "23.00"},
        "ShippingAddress": ADDRESS,
        "BuyerInfo": BUYER,
    }


def _queued_creations() -> list[tuple[str, list]]:
    queue = get_queue("orders")
    return [(job.func_name, job.args) for job in queue.get_jobs()]


def test_a_claimed_order_waits_for_its_job_on_its_link_encrypted_not_in_redis(app):
    shop = make_shop("handover.myshopify.com")
    db.session.commit()

    assert _triage(shop, _order("111-0000000-0000001")) == "queued"

    link = db.session.query(OrderLink).one()
    assert _queued_creations() == [("jobs.orders.create_store_order", [link.id])]
    assert get_redis().get(_stash_key(US, link.amazon_order_id)) is None
    for name in get_redis().keys("*"):  # no copy of the buyer anywhere in Redis
        if get_redis().type(name) == b"string":
            value = get_redis().get(name).decode(errors="replace")
            try:
                value = active_keyring().decrypt(value)
            except Exception:
                pass
            assert ADDRESS["AddressLine1"] not in value, name
    kept = json.loads(link.pii)
    assert (kept["address"], kept["buyer"]) == (ADDRESS, BUYER)
    assert kept["order"]["OrderTotal"] == {"CurrencyCode": "USD", "Amount": "23.00"}
    raw = db.session.execute(text("SELECT pii FROM order_links")).scalar_one()
    assert ADDRESS["AddressLine1"] not in raw and BUYER["BuyerEmail"] not in raw


def test_stuck_imports_are_queued_for_the_creation_job_not_created_inline(app, test_settings):
    shop = make_shop("stuck.myshopify.com")
    old = utcnow() - timedelta(seconds=test_settings.order_lock_seconds + 60)
    links = {
        state: OrderLink(shop_id=shop.id, amazon_order_id=f"111-0000000-00000{n}",
                         marketplace_id=US, state=state, attempts=attempts, shipment={})
        for n, (state, attempts) in enumerate(
            [("claimed", 0), ("failed", 2), ("created", 1), ("gave up", AUTOMATIC_ATTEMPTS)]
        )
    }  # fmt: skip
    links["gave up"].state = "failed"  # the seller's retry only
    db.session.add_all(links.values())
    db.session.commit()
    db.session.execute(db.update(OrderLink).values(updated_at=old))
    db.session.commit()

    # the sweep itself calls neither Amazon nor the store (this shop's account has no token)
    assert retry_stuck_orders(shop.id) == 2
    expected = sorted(
        [("jobs.orders.create_store_order", [links[s].id]) for s in ("claimed", "failed")]
    )
    assert sorted(_queued_creations()) == expected
    # a second sweep (or the poll) before the jobs ran queues nothing more: same job ids
    assert retry_stuck_orders(shop.id) == 2
    assert sorted(_queued_creations()) == expected


def test_an_import_left_failed_past_the_retention_has_its_kept_order_erased(app, test_settings):
    from jobs.maintenance import purge_buyer_pii

    shop = make_shop("unrouted.myshopify.com")
    db.session.commit()
    _triage(shop, _order("111-0000000-0000009"))
    link = db.session.query(OrderLink).one()
    link.state, link.attempts = "failed", AUTOMATIC_ATTEMPTS  # unrouted: waits for the seller
    db.session.commit()
    old = utcnow() - timedelta(days=test_settings.pii_retention_days + 1)
    db.session.execute(db.update(OrderLink).values(updated_at=old))
    db.session.commit()

    assert purge_buyer_pii() == 1
    db.session.expire_all()
    assert db.session.get(OrderLink, link.id).pii is None
