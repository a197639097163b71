"""The seller's whole journey on WooCommerce, through the real flows, real workers and emulators:
install (key flow), open Crossport from wp-admin, connect Amazon (NA, EU, FE) through the consent
flow, import, map, trial run, publish 200 products with variations to eight marketplaces, stock
in step, orders in four currencies, a shipment confirmed, and never a 429 from Amazon."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests

from core.db import db
from core.models import Listing, OrderLink, ProductSnapshot, Shop
from jobs.queues import enqueue
from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator
from tests.jobs.conftest import MARKETS, assign_product_types, wait_for
from tests.jobs.helpers import amazon_quantity, publish
from tests.support.amazon_connect import start_consent_over_http
from tests.support.workers import start_worker, worker_output
from tests.woocommerce.conftest import connect_store

PRODUCTS = 200


class Seller:
    """The seller's browser: wp-admin, the Crossport iframe, and Amazon's consent pages."""

    def __init__(self, crossport_url: str, store, amazon: Emulator):
        self.crossport_url, self.store, self.amazon = crossport_url, store, amazon
        self.browser = requests.Session()
        self.page_token = ""
        self.workers: list = []
        self.shop_id: int | None = None

    def open_crossport(self) -> dict:
        """wp-admin → WooCommerce → Crossport: the iframe carries the plugin's signed token."""
        admin = self.browser.get(f"{self.store.url}/wp-admin/admin.php?page=crossport", timeout=30)
        # the plugin writes id="crossport-app" src="…"; either quote style is HTML
        found = re.search(r"""id=(["'])crossport-app\1 src=(["'])(.+?)\2""", admin.text)
        src = html.unescape(found.group(3))
        page = self.browser.get(src, timeout=30).text
        boot = json.loads(page.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])
        assert boot["auth_error"] is None, boot
        self.page_token = boot["page_token"]
        return boot

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.page_token}"}
        return requests.request(
            method, self.crossport_url + path, headers=headers, timeout=30, **kwargs
        )

    def follow(self, url: str) -> requests.Response:
        """Follow redirects across Crossport and Amazon as a browser does."""
        for _ in range(10):
            answer = self.browser.get(url, allow_redirects=False, timeout=30)
            if answer.status_code not in (301, 302, 303):
                return answer
            location = answer.headers["Location"]
            url = location if urlsplit(location).scheme else self.crossport_url + location
        raise AssertionError("too many redirects")

    def worker_logs(self) -> str:
        return "".join(worker_output(w) for w in self.workers)[-6000:]


@pytest.fixture
def seller(app_factory, amazon_server, woo_server, crossport_http, specs_dir):
    amazon = Emulator(amazon_server.url)
    amazon.control("POST", "reset")
    amazon.control("POST", "options", json=DEFAULT_OPTIONS)
    amazon.control("DELETE", "faults")
    store = woo_server
    store.control("reset")
    store.control("seed", {"count": PRODUCTS})
    store.control("config", {"auto_approve": True})
    late, server = crossport_http
    app = app_factory(
        public_url=server.url,
        woocommerce_sandbox_hosts=(store.host,),
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        amazon_consent_url=f"{amazon.url}/{{region}}/apps/authorize/consent",
        spapi_rate_speedup=SPEEDUP,
    )
    late.target = app
    store.control("config", {"crossport_url": server.url})
    with app.app_context():
        trip = Seller(server.url, store, amazon)
        trip.workers = [start_worker(app.config["SETTINGS"]) for _ in range(2)]
        yield trip
        for worker in trip.workers:
            worker.terminate()
            worker.wait(timeout=20)
        store.app.extensions["wc_sender"].wait_idle(5)
        assert amazon.violations() == [], "the SP-API contract was broken"
        db.session.remove()
        db.engine.dispose()


@pytest.mark.slow
def test_the_whole_journey_on_woocommerce(seller):
    trip = seller
    # 1. the store owner connects Crossport from wp-admin (the key flow, auto-approved here)
    assert connect_store(trip.crossport_url, trip.store).status_code == 200
    shop = db.session.scalars(db.select(Shop).where(Shop.platform == "woocommerce")).one()
    # 2. the catalogue is imported by itself, paging through the REST API
    wait_for(
        lambda: db.session.query(ProductSnapshot).count() >= PRODUCTS, 180, message=trip.worker_logs
    )
    # 3. Crossport opens inside wp-admin; the seller connects Amazon in three regions
    assert trip.open_crossport()["platform"] == "woocommerce"
    amazon_seller = trip.amazon.new_seller(name="Woo Journey Store")
    for region in ("NA", "EU", "FE"):
        trip.amazon.control(
            "POST", "consent", json={"region": region, "seller_id": amazon_seller["seller_id"]}
        )
        consent = start_consent_over_http(trip.browser, trip.crossport_url, trip.api)(region)
        assert trip.follow(consent).status_code == 200
    chosen = [mid for _, mid in MARKETS.values()]
    enabled = trip.api(
        "POST", "/amazon/marketplaces", json={"marketplace_ids": chosen, "enabled": True}
    ).json()["updated"]
    assert sorted(enabled) == sorted(chosen)
    # 4. mapping: a product type per store category, and the facts the store does not hold
    assign_product_types(shop.id)
    mapped = db.session.query(ProductSnapshot).filter(ProductSnapshot.product_type.is_not(None))
    assert mapped.count() >= PRODUCTS // 2
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
    assert all(r.local_problems for r in held), "a held listing must say why"
    children = db.session.query(Listing).filter(
        Listing.sku.like("CPV-%-%-%"), Listing.status == "active"
    )
    assert children.count() >= 6 * 6 * len(chosen)  # the variable products' children, live
    # 7. a stock change in wp-admin reaches every marketplace
    product = next(
        s for s in db.session.query(ProductSnapshot) if s.data["variants"][0]["sku"] == "CP-001"
    )
    listed = {
        r.marketplace_id for r in db.session.query(Listing).filter_by(sku="CP-001", status="active")
    }
    assert len(listed) == len(chosen)
    trip.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 3})
    wait_for(
        lambda: all(amazon_quantity(trip, "CP-001").get(m) == 3 for m in listed),
        60,
        message=lambda: str(amazon_quantity(trip, "CP-001")),
    )
    # 8. orders in four currencies, FBM and FBA, arrive in the store once each
    placed = {}
    for country, channel in (("US", "MFN"), ("DE", "MFN"), ("UK", "AFN"), ("JP", "MFN")):
        order = trip.amazon.control(
            "POST",
            "orders",
            json={
                "seller_id": amazon_seller["seller_id"],
                "marketplace_id": MARKETS[country][1],
                "fulfillment_channel": channel,
                "items": [{"sku": "CPV-01-M-R", "quantity": 1, "price": "25.00"}],
            },
        )
        placed[order["AmazonOrderId"]] = (country, channel)
    enqueue("jobs.periodic.poll_all_orders", queue="orders")
    wait_for(
        lambda: db.session.query(OrderLink).filter_by(state="created").count() == 4,
        120,
        message=trip.worker_logs,
    )
    in_store = {}
    for order in trip.store.control("orders", method="GET"):
        meta = {m["key"]: m["value"] for m in order.get("meta_data", [])}
        in_store.setdefault(meta.get("_crossport_amazon_order_id"), []).append(order)
    assert {k: len(in_store.get(k, [])) for k in placed} == {k: 1 for k in placed}
    currencies = {"US": "USD", "DE": "EUR", "UK": "GBP", "JP": "JPY"}
    for amazon_id, (country, channel) in placed.items():
        (order,) = in_store[amazon_id]
        assert order["currency"] == currencies[country]
        assert order["status"] == ("completed" if channel == "AFN" else "processing")
    # 9. the store ships the US order: Amazon gets carrier and tracking
    us_id = next(k for k, v in placed.items() if v[0] == "US")
    trip.store.control(
        f"orders/{in_store[us_id][0]['id']}/tracking",
        {"tracking_provider": "UPS", "tracking_number": "1Z999AA10123456784"},
    )
    shipped = wait_for(
        lambda: trip.amazon.control("GET", f"orders/{us_id}")["shipments"],
        60,
        message=trip.worker_logs,
    )
    assert shipped[0]["trackingNumber"] == "1Z999AA10123456784"
    assert shipped[0]["carrierCode"] == "UPS"
    # 10. all along, Crossport kept under Amazon's rate limits: not one request was throttled
    throttled = Counter(c["operation"] for c in trip.amazon.calls() if c["status"] == 429)
    assert not throttled, f"throttled by Amazon: {dict(throttled)}"
