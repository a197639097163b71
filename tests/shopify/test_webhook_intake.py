"""The request path of a Shopify inventory_levels/update reads no variant, whatever the shop's
size: an inventory item the Redis index does not hold (a new item, or the hourly index expired)
is looked up by a job on the stock queue, which rebuilds the index; the next delivery for it is
answered from the index with its stock requested at once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from sqlalchemy import event, insert

from core.db import db
from core.models import ProductSnapshot, Shop, StoreConnection, VariantSnapshot, WebhookEvent
from jobs.queues import get_queue

DOMAIN = "big-store.myshopify.com"
VARIANTS = 5_000


@pytest.fixture
def big_shop(app):
    """An installed shop of 5,000 variants, each with its inventory item as Shopify's
    productVariant.inventoryItem.id names it (a gid)."""
    shop = Shop(platform="shopify", domain=DOMAIN, name="big-store")
    shop.connection = StoreConnection(base_url=f"https://{DOMAIN}/admin")
    db.session.add(shop)
    db.session.flush()
    product = ProductSnapshot(shop_id=shop.id, external_id="gid://shopify/Product/1", title="Big")
    db.session.add(product)
    db.session.flush()
    db.session.execute(
        insert(VariantSnapshot),
        [
            {"shop_id": shop.id, "product_id": product.id, "sku": f"BIG-{n}",
             "external_id": f"gid://shopify/ProductVariant/{n}",
             "data": {"inventory_item_id": f"gid://shopify/InventoryItem/{1000 + n}"}}
            for n in range(VARIANTS)
        ],
    )  # fmt: skip
    db.session.commit()
    return shop.id


def _deliver(app, client, item: int):
    """inventory_levels/update as Shopify sends it (2026-04 example payload: inventory_item_id,
    location_id, available, updated_at), signed with the app secret like Shopify does."""
    return _post(app, client, "inventory_levels/update", {
        "inventory_item_id": item, "location_id": 7, "available": 3,
        "updated_at": "2026-12-07T10:00:00-05:00"})  # fmt: skip


def _post(app, client, topic: str, payload: dict):
    body = json.dumps(payload).encode()
    secret = app.config["SETTINGS"].shopify_api_secret
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": DOMAIN,
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }
    return client.post("/webhooks/shopify", data=body, headers=headers)


class VariantReads:
    """Counts the SQL statements that read the variant table while in use."""

    def __init__(self):
        self.count = 0

    def _seen(self, conn, cursor, statement, *args):
        if VariantSnapshot.__tablename__ in statement and statement.lstrip().startswith("SELECT"):
            self.count += 1

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)


def _latest_event() -> WebhookEvent:
    db.session.expire_all()
    return db.session.query(WebhookEvent).order_by(WebhookEvent.id.desc()).first()


def test_an_unindexed_inventory_item_is_not_scanned_for_on_the_request(app, client, big_shop):
    sku_item = 1000 + 4321  # BIG-4321's item; the index is cold, as after its hourly expiry
    with VariantReads() as reads:
        answer = _deliver(app, client, sku_item)
    assert answer.status_code == 200 and answer.json == {"status": "accepted"}
    assert reads.count == 0  # the previous code read all 5,000 variants here
    from jobs.webhooks import _stock_marker, request_event_stock

    first = _latest_event()
    # the lookup is left to a job on the stock queue, not behind the webhook backlog
    jobs = {j.func_name: list(j.args) for j in get_queue("sync").jobs}
    assert jobs.get("jobs.webhooks.request_event_stock") == [first.id]
    assert get_queue("webhooks").count == 1  # the event itself, queued as every event

    # the job names the SKU and builds the index
    assert request_event_stock(first.id) == "requested"
    from core.redis import get_redis

    assert get_redis().get(_stock_marker(first.id))
    assert any(j.func_name == "jobs.stock.sync_stock" and j.args[1] == "BIG-4321"
               for j in get_queue("sync").jobs + _scheduled("sync"))  # fmt: skip

    # the next delivery for an item is served by the index: stock requested on receipt
    with VariantReads() as reads:
        assert _deliver(app, client, 1000 + 17).status_code == 200
    assert reads.count == 0
    second = _latest_event()
    assert get_redis().get(_stock_marker(second.id))


def _scheduled(name: str):
    """Jobs waiting for their debounce (jobs.stock enqueues a SKU's sync a little later)."""
    from rq.job import Job

    queue = get_queue(name)
    ids = queue.scheduled_job_registry.get_job_ids()
    jobs = Job.fetch_many(ids, connection=queue.connection, serializer=queue.serializer)
    return [j for j in jobs if j is not None]


def test_an_unknown_inventory_item_answers_without_a_scan_and_requests_nothing(
    app, client, big_shop
):
    with VariantReads() as reads:
        assert _deliver(app, client, 999_999_999).status_code == 200
    assert reads.count == 0
    from jobs.webhooks import request_event_stock

    event_id = _latest_event().id
    assert request_event_stock(event_id) == "requested"  # the job's lookup finds no SKU
    assert not [j for j in _scheduled("sync") if j.func_name == "jobs.stock.sync_stock"]


def test_an_uninstall_is_settled_once(app, client, big_shop):
    """app/uninstalled is settled in the route, before the event is recorded; neither its event
    job nor a second delivery (a new event id: Shopify retries, or resends) uninstalls again,
    so the 48 hours before shop/redact count from the first."""
    from jobs.webhooks import process_event

    # the 2026-04 app/uninstalled example body names the shop (tests/security/...binding.py)
    payload = {"id": 548380009, "name": "Big", "myshopify_domain": DOMAIN}
    assert _post(app, client, "app/uninstalled", payload).status_code == 200
    db.session.expire_all()
    shop = db.session.get(Shop, big_shop)
    assert shop.status == "uninstalled" and shop.connection.access_token is None
    first = shop.uninstalled_at
    assert process_event(_latest_event().id) == "done"
    assert _post(app, client, "app/uninstalled", payload).json == {"status": "accepted"}
    db.session.expire_all()
    assert db.session.get(Shop, big_shop).uninstalled_at == first
