"""Tokens in the browser: an expired one is renewed mid-use; a viewer is refused by the server."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import JobRun, PriceRule
from sandbox.shopify.oauth import session_token
from tests.browser import seed
from tests.browser.conftest import act_as_viewer, shot
from tests.browser.test_journey import go, open_crossport

pytestmark = pytest.mark.browser
LEEWAY = 10  # integrations.shopify.session_token accepts this many seconds past `exp`


def test_expired_token_mid_use_is_renewed_without_losing_the_form(page, live):
    settings = live.app.config["SETTINGS"]
    issued = {"short": True, "count": 0, "last_short": 0.0}

    def id_token(route):
        # The admin's App Bridge answers shopify.idToken(); while "short", its tokens expire in
        # one second, as a token would after the seller has been filling a form for a while.
        issued["count"] += 1
        if not issued["short"]:
            return route.continue_()
        issued["last_short"] = time.time()
        token = session_token(
            settings.shopify_api_key,
            settings.shopify_api_secret,
            seed.SHOP,
            user_id=seed.OWNER,
            lifetime=1,
        )
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"token": token})
        )

    page.route("**/admin/_id_token", id_token)
    frame = open_crossport(page, live)
    go(frame, "Pricing")
    card = frame.locator("section[data-marketplace=A1PA6795UKMFR9]")
    card.locator("input[name=markup_percent]").fill("12.5")
    card.locator("input[name=ending]").fill(".95")
    issued["short"] = False  # from now on the admin hands out normal tokens
    time.sleep(max(0.0, issued["last_short"] + 1 + LEEWAY + 1 - time.time()))
    before = issued["count"]
    card.locator("button[type=submit]").click()
    expect(frame.locator("#toast")).to_have_text("Saved", timeout=10000)
    assert issued["count"] == before + 1  # one renewal, then the same request succeeded
    iframe = page.frame(name="app-iframe")
    assert iframe.evaluate("() => window.Crossport.renewals") == 1
    expect(card.locator("input[name=markup_percent]")).to_have_value("12.5")
    expect(card.locator("input[name=ending]")).to_have_value(".95")
    with live.app.app_context():
        rule = db.session.query(PriceRule).filter_by(marketplace_id=seed.DE).one()
        assert Decimal(rule.rule["markup_percent"]) == Decimal("12.5")
        assert rule.rule["ending"] == ".95"
    shot(page, "20-pricing-after-renewal")


def test_viewer_cannot_publish_even_by_calling_the_api(page, live):
    act_as_viewer(page, live)  # the admin's session is the viewer's
    frame = open_crossport(page, live)
    go(frame, "Products")
    frame.locator(f"#products tr[data-product-id='{live.ids['lamp']}'] input").check()
    expect(frame.locator("#publish")).to_be_disabled()
    iframe = page.frame(name="app-iframe")
    status = iframe.evaluate(
        """async (id) => {
        try {
          await window.Crossport.api("/api/publish", {method: "POST", body: {
            product_ids: [id], marketplace_ids: ["ATVPDKIKX0DER"], mode: "publish"}});
          return "accepted";
        } catch (error) { return error.status + " " + error.code; }
    }""",
        live.ids["lamp"],
    )
    assert status == "403 forbidden"
    with live.app.app_context():
        assert db.session.query(JobRun).filter_by(kind="publish").count() == 0
    shot(page, "21-viewer-products")
