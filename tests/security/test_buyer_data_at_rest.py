"""Buyer data at rest: after an order journey (an Amazon order created in a Shopify store, the
store ships it, the fulfilment webhook comes back, Amazon gets the tracking), the buyer's name,
street, phone and e-mail appear in no plaintext copy: not in the SQLite file (and its WAL), not
in any Redis key (RQ job hashes and results included), not in the logs of the web process or
the workers. After Shopify's customers/redact for that order, no copy is left at all, not even
an encrypted one that still decrypts to them.

Through the real flows: the Shopify and SP-API emulators on real ports, Crossport served on its
own port, a real RQ worker.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis as redis_lib
import requests

from core.crypto import SecretError, active_keyring
from core.db import db
from core.logs import JsonFormatter
from core.models import (
    AmazonAccount,
    OrderLink,
    ProductSnapshot,
    Shop,
    TargetMarketplace,
    VariantSnapshot,
    WebhookEvent,
)
from jobs.queues import enqueue
from sandbox.server import serve_in_thread
from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator
from tests.jobs import conftest as world_fixtures
from tests.jobs.conftest import amazon_server, wait_for  # noqa: F401
from tests.jobs.helpers import import_and_map
from tests.shopify.conftest import API_KEY, API_SECRET, emulator  # noqa: F401
from tests.support.servers import free_port
from tests.support.workers import start_worker, worker_output

# The WooCommerce world (tests/jobs/conftest.py), used here as it is there.
woo_server = world_fixtures.woo_server
crossport_http = world_fixtures.crossport_http
world = world_fixtures.world

SHOP = "buyer-data.myshopify.com"
US = "ATVPDKIKX0DER"
# A buyer no fixture or seed data shares, so a match can only be this buyer's data. The address
# and buyer info are what the SP-API emulator returns for the order (sandbox/amazon/orders_world:
# `address` and `buyer` of an order spec), as getOrders with a Restricted Data Token does.
ADDRESS = {
    "Name": "Zebediah Quarrington",
    "AddressLine1": "77 Xylophone Crescent",
    "City": "Seattle",
    "StateOrRegion": "WA",
    "PostalCode": "98109",
    "CountryCode": "US",
    "Phone": "+1 206-555-0199",
}
EMAIL = "zebediah.quarrington@buyer.example"
# lower-cased fragments: the name, the street, the phone in any punctuation, the e-mail
NEEDLES = ("quarrington", "xylophone", "555-0199", "5550199", "zebediah")


def _found(blob: bytes) -> list[str]:
    low = blob.lower()
    return [n for n in NEEDLES if n.encode() in low]


def _sqlite_bytes(app) -> dict[str, bytes]:
    path = Path(app.config["SETTINGS"].database_url.removeprefix("sqlite:///"))
    files = {}
    for suffix in ("", "-wal", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            files[candidate.name] = candidate.read_bytes()
    return files


def _redis_values(url: str) -> dict[str, bytes]:
    """Every value of every key, RQ's zlib-compressed job data and results also inflated."""
    client = redis_lib.Redis.from_url(url)
    dump: dict[str, bytes] = {}
    for key in client.scan_iter("*"):
        kind = client.type(key).decode()
        if kind == "string":
            values = [client.get(key) or b""]
        elif kind == "hash":
            values = [k + b"=" + v for k, v in client.hgetall(key).items()]
        elif kind == "list":
            values = client.lrange(key, 0, -1)
        elif kind == "set":
            values = list(client.smembers(key))
        elif kind == "zset":
            values = client.zrange(key, 0, -1)
        elif kind == "stream":
            values = [k + b"=" + v for _, fields in client.xrange(key) for k, v in fields.items()]
        else:
            values = []
        blob = b"\n".join(values)
        for value in values:
            for candidate in (value, value.split(b"=", 1)[-1]):
                try:
                    blob += b"\n" + zlib.decompress(candidate)
                except zlib.error:
                    pass
        dump[key.decode(errors="replace")] = blob
    return dump


_FERNET = re.compile(rb"gAAAAA[\w\-=]{20,}")


def _decrypted(blob: bytes) -> bytes:
    """What every Fernet token in `blob` decrypts to with the app's keys."""
    out = []
    for token in _FERNET.findall(blob):
        try:
            out.append(active_keyring().decrypt(token.decode()).encode())
        except SecretError:
            continue  # a fragment, or not ours
    return b"\n".join(out)


class Trip:
    def __init__(self, app, public_url, shopify_url, amazon, log_buffer):
        self.app, self.public_url, self.shopify_url = app, public_url, shopify_url
        self.amazon, self.log_buffer = amazon, log_buffer
        self.browser = requests.Session()
        self.workers: list = []

    def shopify(self, method, path, **kwargs):
        answer = requests.request(
            method, f"{self.shopify_url}/_sandbox{path}", timeout=30, **kwargs
        )
        answer.raise_for_status()
        return answer.json()

    def follow(self, url: str) -> requests.Response:
        for _ in range(10):
            answer = self.browser.get(url, allow_redirects=False, timeout=30)
            if answer.status_code not in (301, 302, 303):
                return answer
            location = answer.headers["Location"]
            url = location if urlsplit(location).scheme else self.public_url + location
        raise AssertionError("too many redirects")

    def logs(self) -> str:
        return "".join(worker_output(w) for w in self.workers)

    def scan(self, redis_url: str) -> dict[str, list[str]]:
        return scan(self.app, redis_url, self.log_buffer.getvalue(), self.logs())


def scan(app, redis_url: str, web_log: str, worker_log: str) -> dict[str, list[str]]:
    """Where a plaintext copy of the buyer's data sits: {place: fragments found}."""
    db.session.remove()  # no transaction of the test holds pages back
    places = {f"sqlite:{n}": _found(b) for n, b in _sqlite_bytes(app).items()}
    places |= {f"redis:{k}": _found(v) for k, v in _redis_values(redis_url).items()}
    places["log:web"] = _found(web_log.encode())
    places["log:workers"] = _found(worker_log.encode())
    return {place: hits for place, hits in places.items() if hits}


@pytest.fixture
def web_log():
    """The web process's log, as its handler writes it (JSON lines, secrets masked)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("crossport").addHandler(handler)
    yield buffer
    logging.getLogger("crossport").removeHandler(handler)


@pytest.fixture
def trip(app_factory, emulator, amazon_server, redis_url, web_log):  # noqa: F811
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    ext = emulator.server.app.extensions["shopify_emulator"]
    ext["config"]["app_url"] = public_url
    ext["config"]["compliance_url"] = f"{public_url}/webhooks/shopify"
    ext["state"].auto_approve = True
    ext["sender"].faults.update(drop=0, duplicate=0, delay=0.0, hold=False)
    amazon = Emulator(amazon_server.url)
    amazon.control("POST", "reset")
    amazon.control("POST", "options", json=DEFAULT_OPTIONS)
    amazon.control("DELETE", "faults")
    app = app_factory(
        public_url=public_url,
        shopify_admin_url_template=f"{emulator.url}/store/{{shop}}",
        shopify_api_key=API_KEY,
        shopify_api_secret=API_SECRET,
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        amazon_consent_url=f"{amazon.url}/{{region}}/apps/authorize/consent",
        spapi_rate_speedup=SPEEDUP,
    )
    server = serve_in_thread(app, port=port)
    with app.app_context():
        trip = Trip(app, public_url, emulator.url, amazon, web_log)
        trip.workers = [start_worker(app.config["SETTINGS"])]
        yield trip
        for worker in trip.workers:
            worker.terminate()
            worker.wait(timeout=20)
        ext["sender"].flush(2)
        db.session.remove()
        db.engine.dispose()
    server.stop()


def _wait_for_catalogue(trip, count: int) -> None:
    """The import queued by the install; queued once more if it failed (it can lose a race
    with another writer of the same snapshot, a UNIQUE conflict also seen in
    tests/jobs/test_stock.py: not this test's subject)."""
    for _attempt in range(3):
        try:
            wait_for(lambda: db.session.query(ProductSnapshot).count() >= count, 40)
            return
        except AssertionError:
            shop = db.session.scalars(db.select(Shop).where(Shop.domain == SHOP)).one()
            enqueue("jobs.catalog.import_catalogue", shop.id, queue="bulk", shop_id=shop.id)
    raise AssertionError(f"the catalogue was not imported\n{trip.logs()[-3000:]}")


def _connect_amazon_us(trip) -> AmazonAccount:
    shop = db.session.scalars(db.select(Shop).where(Shop.domain == SHOP)).one()
    seller = trip.amazon.new_seller(name="Buyer Data Store")
    account = AmazonAccount(
        shop_id=shop.id,
        region="NA",
        selling_partner_id=seller["seller_id"],
        refresh_token=seller["refresh_tokens"]["NA"],
    )
    db.session.add(account)
    db.session.flush()
    db.session.add(
        TargetMarketplace(
            shop_id=shop.id,
            account_id=account.id,
            marketplace_id=US,
            country_code="US",
            currency="USD",
            language="en_US",
            enabled=True,
            fulfillment_channel="FBM",
        )
    )
    db.session.commit()
    return account


@pytest.mark.slow
def test_no_plaintext_buyer_data_after_the_journey_and_none_at_all_after_redaction(trip, redis_url):
    # 1. a small store installs Crossport; its catalogue is imported
    trip.shopify("POST", f"/shops/{SHOP}", json={"seed": "demo", "demo_count": 3})
    landed = trip.follow(f"{trip.public_url}/shopify/install?shop={SHOP}")
    assert landed.status_code == 200, landed.text[:300]
    _wait_for_catalogue(trip, 3)
    account = _connect_amazon_us(trip)
    sku = db.session.query(VariantSnapshot.sku).filter(VariantSnapshot.sku != "").first()[0]
    # 2. the buyer orders on Amazon (MFN: the store ships it, so it needs the address)
    order = trip.amazon.control(
        "POST",
        "orders",
        json={
            "seller_id": account.selling_partner_id,
            "marketplace_id": US,
            "fulfillment_channel": "MFN",
            "items": [{"sku": sku, "quantity": 1, "price": "25.00"}],
            "address": ADDRESS,
            "buyer": {"BuyerEmail": EMAIL, "BuyerName": ADDRESS["Name"]},
        },
    )
    amazon_id = order["AmazonOrderId"]
    enqueue("jobs.orders.import_orders", account.id, queue="orders", shop_id=account.shop_id)
    link = wait_for(
        lambda: (
            db.session.query(OrderLink)
            .filter_by(amazon_order_id=amazon_id, state="created")
            .first()
        ),
        120,
        message=trip.logs,
    )
    in_store = {o["source_identifier"]: o for o in trip.shopify("GET", f"/shops/{SHOP}")["orders"]}
    store_order = in_store[amazon_id]
    # 3. the store ships it: the fulfilment webhook (destination, e-mail) comes back, and Amazon
    # gets the tracking number
    trip.shopify(
        "POST",
        f"/shops/{SHOP}/orders/{store_order['id']}/fulfil",
        json={"company": "UPS", "number": "1Z999AA10123456784"},
    )
    wait_for(
        lambda: trip.amazon.control("GET", f"orders/{amazon_id}")["shipments"],
        60,
        message=trip.logs,
    )
    wait_for(
        lambda: (
            db.session.query(WebhookEvent)
            .filter(WebhookEvent.topic == "fulfillments/create", WebhookEvent.status == "done")
            .first()
        ),
        60,
        message=trip.logs,
    )
    # the fulfilment the webhook delivered names the buyer (its destination, the REST address:
    # sandbox/shopify/payloads.fulfilment_payload), so the scans below look for something real
    shipped = {o["source_identifier"]: o for o in trip.shopify("GET", f"/shops/{SHOP}")["orders"]}
    assert _found(json.dumps(shipped[amazon_id]["fulfillments"]).encode())
    # before redaction: encrypted copies only
    link = db.session.get(OrderLink, link.id)
    assert _found(link.pii.encode()), "the order keeps the address it ships to, encrypted"
    assert trip.scan(redis_url) == {}
    # 4. the buyer asks the store to be forgotten: Shopify sends customers/redact
    trip.shopify(
        "POST",
        f"/shops/{SHOP}/compliance/customers/redact",
        json={
            "customer": {"id": 7001, "email": EMAIL, "phone": ADDRESS["Phone"]},
            "orders_to_redact": [store_order["id"]],
        },
    )
    wait_for(
        lambda: db.session.query(WebhookEvent).filter_by(topic="customers/redact").first(),
        30,
        message=trip.logs,
    )
    # after: no plaintext anywhere, and no copy that still decrypts to the buyer
    assert trip.scan(redis_url) == {}
    assert db.session.get(OrderLink, link.id).pii is None
    redis_left = {
        k: _found(_decrypted(v))
        for k, v in _redis_values(redis_url).items()
        if _found(_decrypted(v))
    }
    assert redis_left == {}
    db.session.remove()
    with db.engine.connect() as connection:  # fold the WAL in, so the file holds the live pages
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db_left = {n: _found(_decrypted(b)) for n, b in _sqlite_bytes(trip.app).items()}
    assert {n: hits for n, hits in db_left.items() if hits} == {}


def test_the_retention_purge_reaches_every_copy_of_a_shipped_orders_buyer(app):
    """Past the PII retention, an order's buyer goes from the order, the text the platforms
    wrote about it (a store's refusal quoting the address), and the Redis stash."""
    from datetime import timedelta

    from core.db import utcnow
    from core.models import Alert, ApiCall
    from core.redis import get_redis
    from jobs.maintenance import purge_buyer_pii
    from jobs.orders import _stash_key
    from tests.web.conftest import make_shop

    shop = make_shop("retention.myshopify.com")
    old = utcnow() - timedelta(days=app.config["SETTINGS"].pii_retention_days + 1)
    link = OrderLink(shop_id=shop.id, amazon_order_id="111-0000001-0000001", marketplace_id=US,
                     state="shipped", store_order_id="gid://shopify/Order/1",
                     error=f"phone {ADDRESS['Phone']} refused",
                     pii=json.dumps({"address": ADDRESS}))  # fmt: skip
    db.session.add(link)
    db.session.add(ApiCall(shop_id=shop.id, platform="shopify", operation="orderCreate",
                           error_message=f"shippingAddress: {ADDRESS['AddressLine1']} is invalid",
                           created_at=utcnow()))  # fmt: skip
    db.session.add(Alert(shop_id=shop.id, kind="order_import_failed",
                         message=f"could not create the order of {ADDRESS['Name']}"))  # fmt: skip
    db.session.commit()
    db.session.execute(db.update(OrderLink).where(OrderLink.id == link.id).values(updated_at=old))
    db.session.commit()
    stash = _stash_key(US, link.amazon_order_id)
    get_redis().set(stash, active_keyring().encrypt(json.dumps({"ShippingAddress": ADDRESS})))

    assert purge_buyer_pii() == 1
    db.session.expire_all()
    texts = [
        db.session.get(OrderLink, link.id).error,
        *[c.error_message for c in db.session.query(ApiCall)],
        *[a.message for a in db.session.query(Alert)],
    ]
    assert db.session.get(OrderLink, link.id).pii is None
    assert [t for t in texts if _found(t.encode())] == []
    assert "[redacted]" in texts[0]
    assert get_redis().get(stash) is None


def test_events_recorded_before_keep_no_buyer_after_the_migration(tmp_path):
    """Migration 0007 cuts the payloads recorded whole before events kept ids only."""
    import sqlalchemy as sa

    from core.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0006")
    fulfilment = {"id": 5, "order_id": 1001, "status": "success", "email": EMAIL,
                  "destination": {"name": ADDRESS["Name"], "address1": ADDRESS["AddressLine1"],
                                  "phone": ADDRESS["Phone"]}}  # fmt: skip
    redact = {"shop_domain": SHOP, "customer": {"id": 7, "email": EMAIL}, "orders_to_redact": [1]}
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for key, topic, body in (("a", "fulfillments/create", fulfilment),
                                 ("b", "customers/redact", redact)):  # fmt: skip
            connection.execute(
                sa.text(
                    "INSERT INTO webhook_events (platform, topic, event_key, resource_id,"
                    " payload, status, error, received_at) VALUES ('shopify', :topic, :key,"
                    " '', :payload, 'done', '', CURRENT_TIMESTAMP)"
                ),
                {"topic": topic, "key": key, "payload": json.dumps(body)},
            )
    upgrade(url)
    with engine.connect() as connection:
        kept = [
            json.loads(p)
            for (p,) in connection.execute(
                sa.text("SELECT payload FROM webhook_events ORDER BY id")
            )
        ]
    engine.dispose()
    assert kept == [
        {"id": 5, "order_id": 1001, "status": "success"},
        {"shop_domain": SHOP, "customer": {"id": 7}, "orders_to_redact": [1]},
    ]


@pytest.mark.slow
def test_no_plaintext_buyer_data_after_a_woocommerce_order_journey(world, redis_url, web_log):
    """The same on WooCommerce: the order goes into the store with the buyer's billing and
    shipping addresses, the store adds tracking, and its order.updated delivery (the whole
    order, addresses included) comes back; no plaintext copy stays anywhere."""
    world.start_workers(1)
    import_and_map(world)
    account = db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id, region="NA").one()
    sku = db.session.query(VariantSnapshot.sku).filter(VariantSnapshot.sku != "").first()[0]
    order = world.amazon.control(
        "POST",
        "orders",
        json={
            "seller_id": world.seller_id,
            "marketplace_id": US,
            "fulfillment_channel": "MFN",
            "items": [{"sku": sku, "quantity": 1, "price": "25.00"}],
            "address": ADDRESS,
            "buyer": {"BuyerEmail": EMAIL, "BuyerName": ADDRESS["Name"]},
        },
    )
    amazon_id = order["AmazonOrderId"]
    enqueue("jobs.orders.import_orders", account.id, queue="orders", shop_id=world.shop_id)
    wait_for(
        lambda: (
            db.session.query(OrderLink)
            .filter_by(amazon_order_id=amazon_id, state="created")
            .first()
        ),
        120,
        message=world.worker_logs,
    )
    (store_order,) = [
        o
        for o in world.store.control("orders", method="GET")
        if {m["key"]: m["value"] for m in o.get("meta_data", [])}.get("_crossport_amazon_order_id")
        == amazon_id
    ]
    assert _found(json.dumps(store_order["shipping"]).encode()), store_order["shipping"]
    world.store.control(
        f"orders/{store_order['id']}/tracking",
        {"tracking_provider": "UPS", "tracking_number": "1Z999AA10123456784"},
    )
    wait_for(
        lambda: world.amazon.control("GET", f"orders/{amazon_id}")["shipments"],
        60,
        message=world.worker_logs,
    )
    wait_for(
        lambda: (
            db.session.query(WebhookEvent)
            .filter(WebhookEvent.topic == "order.updated", WebhookEvent.status == "done")
            .first()
        ),
        60,
        message=world.worker_logs,
    )
    assert scan(world.app, redis_url, web_log.getvalue(), world.worker_logs()) == {}
