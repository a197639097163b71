"""The seller's whole journey on Shopify, through the real flows, real workers and the emulators:
install, connect Amazon (NA, EU, FE), import, map, trial run, publish 200 products with
variations to eight marketplaces, stock in step, orders in four currencies, shipments confirmed."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests

from core.db import db
from core.models import Listing, MappingProfile, OrderLink, ProductSnapshot
from jobs.queues import enqueue
from sandbox.server import serve_in_thread
from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator
from tests.jobs.conftest import MARKETS, SELLER_CONSTANTS, amazon_server, wait_for  # noqa: F401
from tests.jobs.helpers import amazon_quantity, publish
from tests.shopify.conftest import API_KEY, API_SECRET, emulator  # noqa: F401
from tests.support.amazon_connect import start_consent_over_http
from tests.support.servers import free_port
from tests.support.workers import start_worker, worker_output

SHOP = "journey.myshopify.com"
TYPES = {"Shirts": "SHIRT", "Hats": "SHIRT", "Socks": "SHIRT", "Outerwear": "SHIRT"}


class Journey:
    def __init__(self, app, public_url, shopify_url, amazon):
        self.app, self.public_url, self.shopify_url, self.amazon = (
            app,
            public_url,
            shopify_url,
            amazon,
        )
        self.browser = requests.Session()  # the seller's browser: keeps Crossport's cookies
        self.workers = []
        self.shop_id = None

    def shopify(self, method, path, **kwargs):
        answer = requests.request(
            method, f"{self.shopify_url}/_sandbox{path}", timeout=30, **kwargs
        )
        answer.raise_for_status()
        return answer.json()

    def session_token(self) -> str:
        return self.shopify("POST", f"/shops/{SHOP}/session-token")["token"]

    def api(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.session_token()}"}
        return requests.request(
            method, self.public_url + path, headers=headers, timeout=30, **kwargs
        )

    def follow(self, url: str) -> requests.Response:
        """Follow redirects across Crossport, Shopify and Amazon as a browser does."""
        for _ in range(10):
            answer = self.browser.get(url, allow_redirects=False, timeout=30)
            if answer.status_code not in (301, 302, 303):
                return answer
            location = answer.headers["Location"]
            url = location if urlsplit(location).scheme else self.public_url + location
        raise AssertionError("too many redirects")

    def logs(self) -> str:
        return "".join(worker_output(w) for w in self.workers)[-6000:]


@pytest.fixture
def journey(app_factory, emulator, amazon_server, specs_dir):  # noqa: F811
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    ext = emulator.server.app.extensions["shopify_emulator"]
    ext["config"]["app_url"] = public_url
    ext["config"]["compliance_url"] = f"{public_url}/webhooks/shopify"
    ext["state"].auto_approve = True
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
        trip = Journey(app, public_url, emulator.url, amazon)
        trip.workers = [start_worker(app.config["SETTINGS"]) for _ in range(2)]
        yield trip
        for worker in trip.workers:
            worker.terminate()
            worker.wait(timeout=20)
        ext["sender"].flush(2)
        assert amazon.violations() == [], "the SP-API contract was broken"
        db.session.remove()
        db.engine.dispose()
    server.stop()


@pytest.mark.slow
def test_the_whole_journey_on_shopify(journey):
    trip = journey
    # 1. a store with 200 products, many with size and colour variations, installs Crossport
    trip.shopify("POST", f"/shops/{SHOP}", json={"seed": "demo", "demo_count": 200})
    landed = trip.follow(f"{trip.public_url}/shopify/install?shop={SHOP}")
    assert landed.status_code == 200 and "/app" in landed.url
    # 2. the catalogue is imported by itself (bulk operation)
    wait_for(lambda: db.session.query(ProductSnapshot).count() >= 201, 120, message=trip.logs)
    shop_id = db.session.query(ProductSnapshot.shop_id).first()[0]
    # 3. the seller connects Amazon in three regions and chooses eight marketplaces
    seller = trip.amazon.new_seller(name="Journey Store")
    for region in ("NA", "EU", "FE"):
        trip.amazon.control(
            "POST", "consent", json={"region": region, "seller_id": seller["seller_id"]}
        )
        consent = start_consent_over_http(trip.browser, trip.public_url, trip.api)(region)
        assert trip.follow(consent).status_code == 200
    chosen = [mid for _, mid in MARKETS.values()]
    enabled = trip.api(
        "POST", "/amazon/marketplaces", json={"marketplace_ids": chosen, "enabled": True}
    ).json()["updated"]
    assert sorted(enabled) == sorted(chosen)
    # 4. mapping: a product type per store category, and the facts the store does not hold
    for snapshot in db.session.query(ProductSnapshot):
        category = snapshot.data.get("category") or ""
        snapshot.product_type = TYPES.get(category, "KITCHEN" if category else None)
    for product_type in ("SHIRT", "KITCHEN"):
        db.session.add(
            MappingProfile(
                shop_id=shop_id,
                product_type=product_type,
                attributes=dict(SELLER_CONSTANTS),
                overrides={},
                settings={},
                texts={},
                price_rules={},
                disabled=[],
            )
        )
    db.session.commit()
    # 5. a trial run of 10 SKUs per marketplace goes first, as single calls
    trial = publish(trip, "trial", trial_size=10)
    assert trial.details["summary"]["rejected"] == 0, trial.message
    assert len(trip.amazon.calls("putListingsItem")) >= 10 * len(chosen)
    # 6. then everything valid goes, as one feed per marketplace
    done = publish(trip, "publish", timeout=400)
    assert done.details["summary"]["feeds"] >= len(chosen), done.message
    wait_for(
        lambda: (
            db.session.query(Listing).filter(Listing.status.in_(("submitted", "error"))).count()
            == 0
            and db.session.query(Listing).filter_by(status="active").count() > 1000
        ),
        300,
        message=lambda: str(Counter(r.status for r in db.session.query(Listing))),
    )
    held = db.session.query(Listing).filter_by(status="problems").all()
    assert {r.sku for r in held} == {"DEMO-INCOMPLETE"}  # the product Amazon would refuse
    # 7. a stock change in the store reaches every marketplace
    sku = "DEMO-004"  # a simple product
    trip.shopify("POST", f"/shops/{SHOP}/stock", json={"sku": sku, "quantity": 3})
    listed = {
        r.marketplace_id for r in db.session.query(Listing).filter_by(sku=sku, status="active")
    }
    assert len(listed) == len(chosen)
    wait_for(
        lambda: all(amazon_quantity(trip, sku).get(m) == 3 for m in listed),
        60,
        message=lambda: str(amazon_quantity(trip, sku)),
    )
    # 8. orders in four currencies, FBM and FBA, arrive in the store once each
    placed = {}
    for country, channel in (("US", "MFN"), ("DE", "MFN"), ("UK", "AFN"), ("JP", "MFN")):
        order = trip.amazon.control(
            "POST",
            "orders",
            json={
                "seller_id": seller["seller_id"],
                "marketplace_id": MARKETS[country][1],
                "fulfillment_channel": channel,
                "items": [{"sku": "DEMO-001-M-R", "quantity": 1, "price": "25.00"}],
            },
        )
        placed[order["AmazonOrderId"]] = (country, channel)
    enqueue("jobs.periodic.poll_all_orders", queue="orders")
    wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").count() == 4,
        120,
        message=trip.logs,
    )
    orders = {o["source_identifier"]: o for o in trip.shopify("GET", f"/shops/{SHOP}")["orders"]}
    assert set(orders) == set(placed)
    currencies = {"US": "USD", "DE": "EUR", "UK": "GBP", "JP": "JPY"}
    for amazon_id, (country, channel) in placed.items():
        assert orders[amazon_id]["currency"] == currencies[country]
        assert orders[amazon_id]["source_name"] == "amazon"
        if channel == "AFN":
            assert orders[amazon_id]["fulfillment_status"] == "fulfilled"
    # 9. the store ships the US order: Amazon gets carrier and tracking
    us_id = next(k for k, v in placed.items() if v[0] == "US")
    trip.shopify(
        "POST",
        f"/shops/{SHOP}/orders/{orders[us_id]['id']}/fulfil",
        json={"company": "UPS", "number": "1Z999AA10123456784"},
    )
    shipped = wait_for(
        lambda: trip.amazon.control("GET", f"orders/{us_id}")["shipments"], 60, message=trip.logs
    )
    assert shipped[0]["trackingNumber"] == "1Z999AA10123456784"
    assert shipped[0]["carrierCode"] == "UPS"
    # 10. all along, Crossport kept under Amazon's rate limits: not one request was throttled
    throttled = Counter(c["operation"] for c in trip.amazon.calls() if c["status"] == 429)
    assert not throttled, f"throttled by Amazon: {dict(throttled)}"
