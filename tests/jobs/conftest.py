"""A whole world for the jobs: the WooCommerce and SP-API emulators, Crossport over HTTP with the
store connected through the real key flow, a seller account per region, and real workers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
import requests

from sandbox.amazon import create_emulator as create_amazon
from sandbox.server import serve_in_thread
from sandbox.woocommerce import create_emulator as create_woo
from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator
from tests.support.workers import start_worker, worker_output
from tests.woocommerce.conftest import Store, _Late, connect_store

MARKETS = {
    "US": ("NA", "ATVPDKIKX0DER"),
    "CA": ("NA", "A2EUQ1WTGCTBG2"),
    "UK": ("EU", "A1F83G8C2ARO7P"),
    "DE": ("EU", "A1PA6795UKMFR9"),
    "FR": ("EU", "A13V1IB3VIYZZH"),
    "IT": ("EU", "APJ6JRA9NG5V4"),
    "ES": ("EU", "A1RKKUPIHCS9HS"),
    "JP": ("FE", "A1VC38T7YXB528"),
}
PRODUCT_TYPES = {"Kitchen": "KITCHEN", "Clothing": "SHIRT", "Home": "CANDLE"}


@pytest.fixture(scope="session")
def amazon_server():
    server = serve_in_thread(create_amazon(**DEFAULT_OPTIONS))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def woo_server():
    app = create_woo()
    server = serve_in_thread(app)
    requests.get(server.url + "/", timeout=5)
    yield Store(server, app)
    server.stop()


@pytest.fixture(scope="session")
def crossport_http():
    late = _Late()
    server = serve_in_thread(late)
    yield late, server
    server.stop()


@dataclass
class World:
    app: object
    settings: object
    crossport_url: str
    store: Store
    amazon: Emulator
    shop_id: int
    seller_id: str
    workers: list = field(default_factory=list)

    def start_workers(self, count: int = 1, **env) -> None:
        for _ in range(count):
            self.workers.append(start_worker(self.settings, extra_env=env))

    def stop_workers(self) -> str:
        output = ""
        for proc in self.workers:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except Exception:
                proc.kill()
            output += worker_output(proc)
        self.workers.clear()
        return output

    def worker_logs(self) -> str:
        return "".join(worker_output(p) for p in self.workers)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2, message: str = ""):
    """Poll until `predicate()` is truthy; fail with `message` (callable or text) otherwise."""
    from core.db import db

    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message or "timed out")
        time.sleep(interval)


@pytest.fixture
def world(app_factory, amazon_server, woo_server, crossport_http, specs_dir):
    """Woo store connected, Amazon seller connected in NA, EU, FE, 8 marketplaces enabled."""
    from core.db import db
    from core.models import AmazonAccount, Shop, TargetMarketplace
    from mapping.marketplaces import marketplace

    amazon = Emulator(amazon_server.url)
    amazon.control("POST", "reset")
    amazon.control("POST", "options", json=DEFAULT_OPTIONS)
    amazon.control("DELETE", "faults")
    store = woo_server
    store.control("reset")
    store.control("seed")
    store.control("config", {"auto_approve": True})
    late, server = crossport_http
    app = app_factory(
        public_url=server.url,
        woocommerce_sandbox_hosts=(store.host,),
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        amazon_consent_url=f"{amazon.url}/{{region}}/apps/authorize/consent",
        spapi_rate_speedup=SPEEDUP,
        order_lock_seconds=3,
    )
    late.target = app
    store.control("config", {"crossport_url": server.url})
    with app.app_context():
        assert connect_store(server.url, store).status_code == 200
        shop = db.session.scalars(db.select(Shop).where(Shop.platform == "woocommerce")).one()
        seller = amazon.new_seller(name="World Store")
        accounts = {}
        for region in ("NA", "EU", "FE"):
            accounts[region] = AmazonAccount(
                shop_id=shop.id,
                region=region,
                selling_partner_id=seller["seller_id"],
                refresh_token=seller["refresh_tokens"][region],
            )
            db.session.add(accounts[region])
        db.session.flush()
        for country, (region, marketplace_id) in MARKETS.items():
            market = marketplace(marketplace_id)
            db.session.add(
                TargetMarketplace(
                    shop_id=shop.id,
                    account_id=accounts[region].id,
                    marketplace_id=marketplace_id,
                    country_code=country,
                    currency=market.currency,
                    language=market.language_tag,
                    enabled=True,
                    fulfillment_channel="FBM",
                )
            )
        shop.settings = {**(shop.settings or {}), "safety_buffer": 0}
        db.session.commit()
        world = World(
            app, app.config["SETTINGS"], server.url, store, amazon, shop.id, seller["seller_id"]
        )
        yield world
        logs = world.stop_workers()
        store.app.extensions["wc_sender"].wait_idle(5)
        violations = amazon.violations()
        assert violations == [], f"SP-API contract broken: {violations[:3]}\n{logs[-3000:]}"
        db.session.remove()
        db.engine.dispose()


# What a seller fills on the mapping page for facts the store does not hold.
SELLER_CONSTANTS = {
    "country_of_origin": {"source": "constant", "value": "CN"},
    "supplier_declared_dg_hz_regulation": {"source": "constant", "value": "not_applicable"},
    "gpsr_safety_attestation": {"source": "constant", "value": True},
    "supplier_declared_has_product_identifier_exemption": {"source": "constant", "value": True},
    "batteries_required": {"source": "constant", "value": False},
    "department": {"source": "constant", "value": "unisex-adult"},
    "material": {"source": "constant", "value": "Stoneware"},
    "scent": {"source": "constant", "value": "Fig"},
}


def assign_product_types(shop_id: int) -> None:
    """The mapping step: a product type per store category, and the seller's constants."""
    from core.db import db
    from core.models import MappingProfile, ProductSnapshot

    for snapshot in db.session.query(ProductSnapshot).filter_by(shop_id=shop_id):
        snapshot.product_type = PRODUCT_TYPES.get(snapshot.data.get("category") or "")
    for product_type in set(PRODUCT_TYPES.values()):
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
