"""Shopify fixtures: the emulator on a real port, Crossport served on a real port pointing at it,
and a helper that installs a shop through the real OAuth flow."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.server import RunningServer, serve_in_thread
from tests.support.servers import free_port

API_KEY = "test-api-key"
API_SECRET = "test-api-secret"


@dataclass
class ShopifyEnv:
    """Everything a Shopify test touches."""

    emulator: RunningServer
    app: object
    client: object
    shop: str
    port: int
    crossport: RunningServer | None = None

    def serve(self) -> RunningServer:
        """Serve Crossport on its public URL, for calls that come from the emulator."""
        if self.crossport is None:
            self.crossport = serve_in_thread(self.app, port=self.port)
        return self.crossport

    @property
    def ext(self) -> dict:
        return self.emulator.server.app.extensions["shopify_emulator"]

    def control(self, method: str, path: str, **kwargs):
        response = requests.request(
            method, f"{self.emulator.url}/_sandbox{path}", timeout=10, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def calls(self, shop: str | None = None, kind: str | None = None) -> list[dict]:
        found = self.control("GET", "/calls", params={"shop": shop} if shop else None)
        return [c for c in found if kind is None or c["kind"] == kind]

    def install(self, shop: str | None = None):
        """Click "install" as a merchant would: Crossport -> Shopify authorize -> callback."""
        shop = shop or self.shop
        started = self.client.get(f"/shopify/install?shop={shop}")
        assert started.status_code == 302, started.data
        approved = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
        assert approved.status_code == 302, approved.text
        target = urlsplit(approved.headers["Location"])
        finished = self.client.get(f"{target.path}?{target.query}")
        assert finished.status_code == 302, finished.data
        from sqlalchemy import select

        from core.db import db
        from core.models import Shop

        db.session.expire_all()
        return db.session.scalars(select(Shop).where(Shop.domain == shop)).one()

    def seed(self, shop: str | None = None, **body) -> dict:
        return self.control("POST", f"/shops/{shop or self.shop}", json=body)


@pytest.fixture(scope="session")
def emulator():
    """One emulator for the session (it serves many shops); each test uses its own shop."""
    from sandbox.shopify import create_emulator

    emulator_app = create_emulator(
        API_KEY,
        API_SECRET,
        "http://127.0.0.1:1",
        auto_approve=True,
        restore_rate=1000.0,
        webhook_retry_delays=(0.05, 0.1, 0.2),
        bulk_delay=0.01,
    )
    server = serve_in_thread(emulator_app)
    yield server
    server.stop()


_shop_numbers = itertools.count(1)


@pytest.fixture
def shopify_env(app_factory, emulator, redis_url):
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
    )
    shop = f"shop{next(_shop_numbers)}-{port}.myshopify.com"
    with app.app_context():
        env = ShopifyEnv(emulator=emulator, app=app, client=app.test_client(), shop=shop, port=port)
        yield env
        from core.db import db

        ext["sender"].flush(2)
        db.session.remove()
    if env.crossport is not None:
        env.crossport.stop()
    with app.app_context():
        from core.db import db

        db.engine.dispose()


@pytest.fixture
def installed(shopify_env):
    """A shop with the demo catalogue, Crossport installed."""
    shopify_env.seed(seed="demo")
    shop = shopify_env.install()
    return shopify_env, shop


@pytest.fixture(scope="session")
def official_schema():
    """Shopify's own Admin schema 2026-07 from the official contracts (skipped or, under CI,
    failed without them: tests/support/specs)."""
    from graphql import build_schema

    from sandbox.shopify.schema import OFFICIAL_SCHEMA_FILE
    from tests.support.specs import specs_path

    text = specs_path(*OFFICIAL_SCHEMA_FILE).read_text(encoding="utf-8")
    return build_schema(text, assume_valid=True)
