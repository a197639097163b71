"""In wp-admin, an expired page session is renewed in place: the page asks the plugin's Crossport
page for a fresh token by postMessage, swaps it for a page token, and the seller's form survives.

The WooCommerce emulator's wp-admin serves the plugin's own bridge script
(wordpress-plugin/crossport/assets/token-bridge.js) and mirrors its AJAX action.
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from core.db import db
from core.models import AmazonAccount, PriceRule, Shop, TargetMarketplace
from sandbox.server import serve_in_thread
from tests.browser.conftest import _Lazy, shot
from tests.browser.test_journey import go
from web import auth

pytestmark = pytest.mark.browser
DE = "A1PA6795UKMFR9"
LEEWAY = auth.LEEWAY_SECONDS  # page tokens are accepted this many seconds past `exp`


@pytest.fixture
def woo_live(test_settings):
    """Crossport and an emulated WooCommerce store, connected through the real key flow."""
    from app import create_app
    from sandbox.woocommerce import create_emulator

    crossport_wsgi = _Lazy()
    crossport = serve_in_thread(crossport_wsgi)
    store = serve_in_thread(
        create_emulator(seed=True, auto_approve=True, crossport_url=crossport.url)
    )
    requests.get(store.url + "/", timeout=10)  # the emulator learns its site URL
    settings = replace(
        test_settings,
        public_url=crossport.url,
        woocommerce_sandbox_hosts=(urlsplit(store.url).netloc,),
    )
    app = create_app({"SETTINGS": settings, "TESTING": True})
    crossport_wsgi.app = app
    connected = requests.get(
        f"{crossport.url}/woocommerce/connect", params={"store_url": store.url}, timeout=30
    )
    assert connected.status_code == 200, connected.text
    with app.app_context():
        shop = db.session.query(Shop).filter_by(platform="woocommerce").one()
        account = AmazonAccount(shop_id=shop.id, region="EU", selling_partner_id="AEUSELLER")
        db.session.add(account)
        db.session.flush()
        db.session.add(
            TargetMarketplace(
                shop_id=shop.id,
                account_id=account.id,
                marketplace_id=DE,
                country_code="DE",
                currency="EUR",
                language="de_DE",
                enabled=True,
            )
        )
        db.session.commit()
        yield {"app": app, "crossport": crossport, "store": store, "shop_id": shop.id}
        db.session.remove()
        db.engine.dispose()
    crossport.stop()
    store.stop()


def test_expired_page_token_is_renewed_in_wp_admin_without_losing_the_form(
    page, woo_live, monkeypatch
):
    calls = {"ajax": 0, "exchange": 0}
    urls = []

    def count(request):
        urls.append(request.url)
        if "/wp-admin/admin-ajax.php" in request.url:
            calls["ajax"] += 1
        elif request.url.endswith("/woocommerce/session"):
            calls["exchange"] += 1

    page.on("request", count)
    # page tokens live one second while the seller opens Crossport and reaches the form, as one
    # would after an hour of work
    monkeypatch.setattr(auth, "PAGE_TOKEN_SECONDS", 1)
    page.goto(f"{woo_live['store'].url}/wp-admin/")
    page.click("#crossport-menu")
    frame = page.frame_locator("#crossport-app")
    expect(frame.locator("h1")).to_have_text("Dashboard", timeout=15000)
    go(frame, "Pricing")
    last_short = time.time()
    monkeypatch.setattr(auth, "PAGE_TOKEN_SECONDS", 3600)  # from now on, normal page tokens
    card = frame.locator(f"section[data-marketplace={DE}]")
    card.locator("input[name=markup_percent]").fill("12.5")
    card.locator("input[name=ending]").fill(".95")
    time.sleep(max(0.0, last_short + 1 + LEEWAY + 1 - time.time()))
    before = dict(calls)

    # when: the seller saves with an expired page token
    card.locator("button[type=submit]").click()

    # then: one fresh plugin token from wp-admin, one exchange, the same request succeeded
    expect(frame.locator("#toast")).to_have_text("Saved", timeout=15000)
    assert calls == {"ajax": before["ajax"] + 1, "exchange": before["exchange"] + 1}
    assert frame.locator("body").evaluate("() => window.Crossport.renewals") == 1
    expect(card.locator("input[name=markup_percent]")).to_have_value("12.5")
    expect(card.locator("input[name=ending]")).to_have_value(".95")
    with woo_live["app"].app_context():
        rule = db.session.query(PriceRule).filter_by(marketplace_id=DE).one()
        assert rule.shop_id == woo_live["shop_id"]
        assert Decimal(rule.rule["markup_percent"]) == Decimal("12.5")
        assert rule.rule["ending"] == ".95"
    shot(page, "40-woocommerce-pricing-after-renewal")

    # the next section opens with the renewed token, not the expired one the page booted with
    go(frame, "Orders")
    assert frame.locator("body").evaluate("() => window.Crossport.boot.role") == "owner"
    assert calls["ajax"] == before["ajax"] + 1
    # sections opened with one-time codes: no page token in any URL, none left in the address bar
    assert not [url for url in urls if "page_token" in url]
    assert sum("handoff=" in url for url in urls) == 2
    assert frame.locator("body").evaluate("() => location.search").find("handoff") == -1
    assert page.errors == []
