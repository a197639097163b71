"""Fixtures for the Amazon tests: one SP-API emulator per session (reset per test, checked for
contract violations after each), sellers, and a Crossport app wired to the emulator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from sandbox.amazon import create_emulator
from sandbox.server import serve_in_thread

SPEEDUP = 50.0  # rate limits x50 and simulated delays /50, in the emulator and in the client
DEFAULT_OPTIONS = {
    "speedup": SPEEDUP,
    "rate_limits": True,
    "auto_approve": True,
    "feed_queue_seconds": 2.0,
    "feed_processing_seconds": 3.0,
    "buyable_after_seconds": 5.0,
    "validate_contracts": True,
}
EU_DE = "A1PA6795UKMFR9"
FE_JP = "A1VC38T7YXB528"
NA_US = "ATVPDKIKX0DER"


@dataclass
class Emulator:
    """A running emulator and its control endpoints."""

    url: str

    def control(self, method: str, path: str, **kwargs) -> dict:
        response = requests.request(method, f"{self.url}/_sandbox/{path}", timeout=10, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def calls(self, operation: str | None = None) -> list[dict]:
        params = {"operation": operation} if operation else {}
        return self.control("GET", "calls", params=params)["calls"]

    def violations(self) -> list[dict]:
        return self.control("GET", "violations")["violations"]

    def new_seller(self, **body) -> dict:
        return self.control("POST", "sellers", json=body)

    def endpoints(self) -> dict[str, str]:
        return {region: f"{self.url}/{region.lower()}" for region in ("NA", "EU", "FE")}


@pytest.fixture(scope="session")
def emulator_server():
    server = serve_in_thread(create_emulator(**DEFAULT_OPTIONS))
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The emulator, fresh; the test fails if any request or response broke the models
    (checked when ../shared/specs is present, as the emulator only checks then)."""
    emu = Emulator(emulator_server.url)
    emu.control("POST", "reset")
    emu.control("POST", "options", json=DEFAULT_OPTIONS)
    emu.control("DELETE", "faults")
    yield emu
    assert emu.violations() == [], "the SP-API contract was broken"


@pytest.fixture
def seller(emulator) -> dict:
    """A new selling partner in every region: {seller_id, refresh_tokens: {NA, EU, FE}}."""
    return emulator.new_seller(name="Test Store")


@pytest.fixture
def amazon_app(app_factory, emulator):
    """Crossport configured against the emulator (endpoints, LWA, consent page)."""
    app = app_factory(
        spapi_endpoints=emulator.endpoints(),
        lwa_token_url=f"{emulator.url}/auth/o2/token",
        amazon_consent_url=f"{emulator.url}/{{region}}/apps/authorize/consent",
        spapi_rate_speedup=SPEEDUP,
    )
    with app.app_context():
        yield app
        from core.db import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def shop(amazon_app):
    from core.db import db
    from core.models import Shop

    row = Shop(platform="shopify", domain="amazon-test.myshopify.com", name="Amazon Test")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def make_account(shop, seller):
    """make_account(region) -> a connected AmazonAccount of the test seller."""
    from core.db import db
    from core.models import AmazonAccount

    def make(region: str = "EU"):
        account = AmazonAccount(shop_id=shop.id, region=region,
                                selling_partner_id=seller["seller_id"],
                                refresh_token=seller["refresh_tokens"][region])  # fmt: skip
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def eu_client(make_account):
    """An SP-API client (the production code path) for the test seller's EU account."""
    from jobs.accounts import client_for

    return client_for(make_account("EU"))
