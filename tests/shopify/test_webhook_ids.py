"""Shopify webhooks name resources by numeric id (`"id": 788032119674292922`, Shopify's payload
examples in ../shared/specs/shopify/webhooks/ and the emulator's payloads); Crossport stores
products and orders by GraphQL gid. Each subscribed topic's id must reach the row it names:
a deleted product stayed live on Amazon at quantity 60 because products/delete matched nothing
(issue 15, Shopify item 1).

Deliveries come from the Shopify emulator's sender, signed as Shopify signs; the handlers run
in this process; Amazon is the SP-API emulator.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid

import pytest
from sqlalchemy import select

from core.db import db
from core.models import (
    AmazonAccount,
    Listing,
    OrderLink,
    ProductSnapshot,
    TargetMarketplace,
    VariantSnapshot,
    WebhookEvent,
)
from integrations.shopify.webhooks import SUBSCRIBED_TOPICS
from jobs.queues import get_queue
from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator
from tests.jobs.conftest import amazon_server, wait_for  # noqa: F401
from tests.jobs.helpers import amazon_quantity
from tests.shopify.conftest import API_KEY, API_SECRET, ShopifyEnv, emulator  # noqa: F401
from tests.support.servers import free_port

US = "ATVPDKIKX0DER"
_numbers = itertools.count(1)


class World:
    def __init__(self, env: ShopifyEnv, amazon: Emulator, shop):
        self.env, self.amazon, self.shop_id = env, amazon, shop.id


@pytest.fixture
def world(app_factory, emulator, amazon_server, redis_url):  # noqa: F811
    """A Shopify shop with the demo catalogue installed through OAuth, and an Amazon seller in
    the US marketplace (seller-fulfilled, no safety buffer)."""
    amazon = Emulator(amazon_server.url)
    amazon.control("POST", "reset")
    amazon.control("POST", "options", json=DEFAULT_OPTIONS)
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    ext = emulator.server.app.extensions["shopify_emulator"]
    ext["config"]["app_url"] = public_url
    ext["config"]["compliance_url"] = f"{public_url}/webhooks/shopify"
    ext["state"].auto_approve = True
    ext["sender"].faults.update(drop=0, duplicate=0, delay=0.0, hold=False)
    app = app_factory(
        public_url=public_url,
        shopify_admin_url_template=f"{emulator.url}/store/{{shop}}",
        shopify_api_key=API_KEY,
        shopify_api_secret=API_SECRET,
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        spapi_rate_speedup=SPEEDUP,
    )
    domain = f"ids{next(_numbers)}-{port}.myshopify.com"
    with app.app_context():
        env = ShopifyEnv(emulator=emulator, app=app, client=app.test_client(), shop=domain,
                         port=port)  # fmt: skip
        env.seed(seed="demo")
        shop = env.install()
        seller = amazon.new_seller(name="Ids Store")
        account = AmazonAccount(shop_id=shop.id, region="NA",
                                selling_partner_id=seller["seller_id"],
                                refresh_token=seller["refresh_tokens"]["NA"])  # fmt: skip
        db.session.add(account)
        db.session.flush()
        db.session.add(TargetMarketplace(shop_id=shop.id, account_id=account.id,
                                         marketplace_id=US, country_code="US", currency="USD",
                                         language="en_US", enabled=True,
                                         fulfillment_channel="FBM"))  # fmt: skip
        shop.settings = {**(shop.settings or {}), "safety_buffer": 0}
        db.session.commit()
        env.serve()
        yield World(env, amazon, shop)
        ext["sender"].flush(2)
        db.session.remove()
        env.crossport.stop()
        db.engine.dispose()


def _imported_product(world) -> ProductSnapshot:
    """One demo product read from the store into its snapshot, as the catalogue import does."""
    from jobs.catalog import refresh_product

    products = world.env.control("GET", f"/shops/{world.env.shop}")["products"]
    pid = next(iter(products))
    assert refresh_product(world.shop_id, f"gid://shopify/Product/{pid}") == "created"
    return db.session.scalars(select(ProductSnapshot).filter_by(shop_id=world.shop_id)).one()


def _skus(snapshot: ProductSnapshot) -> list[str]:
    rows = db.session.query(VariantSnapshot.sku).filter_by(product_id=snapshot.id)
    return sorted(sku for (sku,) in rows)


def _delivered(world, topic: str) -> WebhookEvent:
    assert world.env.ext["sender"].flush(10)
    db.session.expire_all()
    events = db.session.scalars(select(WebhookEvent).filter_by(topic=topic)).all()
    assert len(events) == 1, [(e.topic, e.resource_id) for e in events]
    return events[0]


def _send(world, topic: str, payload: dict) -> WebhookEvent:
    """A delivery of `topic` from the emulator's sender (signed, every header Shopify sends)."""
    url = f"{world.env.crossport.url}/webhooks/shopify"
    body = {"shop": world.env.shop, "topic": topic, "payload": payload, "url": url,
            "event_id": str(uuid.uuid4())}  # fmt: skip
    world.env.control("POST", "/webhooks/send", json=body)
    return _delivered(world, topic)


def _list_on_amazon(world, sku: str, quantity: int) -> None:
    """The SKU live on Amazon US at `quantity`, as publishing leaves it."""
    from jobs.amazon import seller_for

    def text(value: str) -> list[dict]:
        return [{"value": value, "language_tag": "en_US", "marketplace_id": US}]

    def plain(value) -> list[dict]:
        return [{"value": value, "marketplace_id": US}]

    # A full KITCHEN listing: what the demo schema of the SP-API emulator requires
    # (sandbox/amazon/schemas/product_types.json), so a later patch validates against it.
    attributes = {
        "item_name": text("Mug"),
        "brand": text("Crossport Demo"),
        "bullet_point": text("Holds coffee"),
        "product_description": text("A mug."),
        "material": text("Stoneware"),
        "condition_type": plain("new_new"),
        "country_of_origin": plain("CN"),
        "supplier_declared_dg_hz_regulation": plain("not_applicable"),
        "batteries_required": plain(False),
        "supplier_declared_has_product_identifier_exemption": plain(True),
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT",
                                      "quantity": quantity}],
        "purchasable_offer": [{"currency": "USD", "marketplace_id": US,
                               "our_price": [{"schedule": [{"value_with_tax": 20.0}]}]}],
        "list_price": [{"currency": "USD", "value_with_tax": 20.0, "marketplace_id": US}],
    }  # fmt: skip
    answer = seller_for(world.shop_id, US).put_listing(
        US, sku, {"productType": "KITCHEN", "attributes": attributes}
    )
    assert answer["status"] == "ACCEPTED", answer
    db.session.add(Listing(shop_id=world.shop_id, marketplace_id=US, sku=sku, status="active",
                           product_type="KITCHEN", fulfillment_channel="FBM",
                           quantity_sent=quantity))  # fmt: skip
    db.session.commit()


def test_a_product_deleted_in_shopify_goes_to_zero_on_amazon(world):
    from jobs.stock import sync_stock
    from jobs.webhooks import process_event

    snapshot = _imported_product(world)
    sku = _skus(snapshot)[0]
    _list_on_amazon(world, sku, 60)
    assert amazon_quantity(world, sku) == {US: 60}
    pid = snapshot.external_id.rsplit("/", 1)[-1]
    # when the merchant deletes the product: Shopify sends {"id": <number>}
    world.env.control("DELETE", f"/shops/{world.env.shop}/products/{pid}")
    event = _delivered(world, "products/delete")
    assert event.payload == {"id": int(pid)}
    assert event.resource_id == snapshot.external_id  # the stored form, a gid
    assert process_event(event.id) == "done"
    db.session.expire_all()
    assert db.session.get(ProductSnapshot, snapshot.id).deleted
    time.sleep(0.6)  # the stock request's debounce (jobs.stock.DEBOUNCE_SECONDS)
    assert sync_stock(world.shop_id, sku) == {US: 0}
    # Amazon applies an accepted patch after its processing time (the emulator's, sped up)
    wait_for(lambda: amazon_quantity(world, sku) == {US: 0}, 30,
             message=lambda: f"Amazon still holds {amazon_quantity(world, sku)}")  # fmt: skip


def test_product_changes_name_the_stored_product(world):
    from jobs.webhooks import STOCK_EVENTS, process_event

    snapshot = _imported_product(world)
    pid = snapshot.external_id.rsplit("/", 1)[-1]
    world.env.control("POST", f"/shops/{world.env.shop}/products/{pid}", json={"title": "New"})
    event = _delivered(world, "products/update")
    assert event.resource_id == snapshot.external_id
    # the stock lookup on receipt finds the product's SKUs (it found none by number)
    assert sorted(STOCK_EVENTS[("shopify", "products/update")](event)) == _skus(snapshot)
    assert process_event(event.id) == "done"  # queues the refresh of the product's listings
    refreshes = [list(j.args) for j in get_queue("listings").jobs]
    assert refreshes == [[world.shop_id, snapshot.external_id]]


def test_a_new_product_is_named_as_it_will_be_stored(world):
    """products/create names a product not imported yet: its gid is the id the refresh job
    reads and the snapshot is stored under."""
    from jobs.webhooks import refresh_product_and_listings

    payload = {"title": "Brand new", "variants": [{"sku": "NEW-1", "price": "5.00"}]}
    world.env.control("POST", f"/shops/{world.env.shop}/products", json=payload)
    event = _delivered(world, "products/create")
    assert event.resource_id == f"gid://shopify/Product/{event.payload['id']}"
    assert refresh_product_and_listings(world.shop_id, event.resource_id) == "created"
    stored = db.session.scalars(select(ProductSnapshot.external_id)).all()
    assert stored == [event.resource_id]


def test_an_inventory_level_names_the_variants_of_its_item(world):
    from jobs.webhooks import STOCK_EVENTS

    snapshot = _imported_product(world)
    sku = _skus(snapshot)[0]
    world.env.control("POST", f"/shops/{world.env.shop}/stock", json={"sku": sku, "quantity": 3})
    event = _delivered(world, "inventory_levels/update")
    item = event.payload["inventory_item_id"]
    assert event.resource_id == f"gid://shopify/InventoryItem/{item}"
    assert STOCK_EVENTS[("shopify", "inventory_levels/update")](event) == [sku]


# Shopify's fulfilment and order bodies name the order by number (2026-04.fulfillments__create
# and orders__fulfilled examples): {"id": …, "order_id": 820982911946154508, …}.
ORDER_TOPICS = {
    "fulfillments/create": lambda n: {"id": 123456, "order_id": n, "status": "success"},
    "fulfillments/update": lambda n: {"id": 123456, "order_id": n, "status": "success"},
    "orders/cancelled": lambda n: {"id": n, "line_items": [], "cancelled_at": "2026-12-07"},
}


@pytest.mark.parametrize("topic", sorted(ORDER_TOPICS))
def test_order_topics_name_the_linked_order(world, topic):
    from jobs.shipments import _id_forms
    from jobs.webhooks import process_event

    number = 820982911946154508
    db.session.add(OrderLink(shop_id=world.shop_id, amazon_order_id="111-1", marketplace_id=US,
                             store_order_id=f"gid://shopify/Order/{number}"))  # fmt: skip
    db.session.commit()
    event = _send(world, topic, ORDER_TOPICS[topic](number))
    assert event.resource_id == f"gid://shopify/Order/{number}"
    assert process_event(event.id) == "done"
    [job] = [j for j in get_queue("orders").jobs if j.func_name.endswith("sync_store_order")]
    shop_id, order_id = job.args
    link = (
        db.session.query(OrderLink)
        .filter(
            OrderLink.shop_id == shop_id, OrderLink.store_order_id.in_(_id_forms(str(order_id)))
        )
        .one()
    )  # the lookup sync_store_order makes
    assert link.amazon_order_id == "111-1"


def test_every_subscribed_topic_is_covered_here():
    covered = {"products/create", "products/update", "products/delete",
               "inventory_levels/update", "app/uninstalled", *ORDER_TOPICS}  # fmt: skip
    # app/uninstalled names the shop by its domain: tests/shopify/test_webhooks.py
    subscribed = {"/".join(t.lower().rsplit("_", 1)) for t in SUBSCRIBED_TOPICS}
    assert subscribed <= covered, json.dumps(sorted(subscribed - covered))
