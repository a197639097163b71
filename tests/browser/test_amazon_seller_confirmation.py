"""A region connected again with another Amazon seller: the onboarding page shows that seller's
selling partner id, nothing is sold there until an admin confirms it, and confirming resumes
the marketplaces it paused (web/amazon_connect.py, issue 14 finding 2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import AmazonAccount, TargetMarketplace
from tests.browser import seed
from tests.browser.conftest import shot
from tests.browser.test_journey import go, open_crossport

pytestmark = pytest.mark.browser
OTHER = "A2OTHERSELLER"


def _eu_connected_to_another_seller(live) -> None:
    """What auth.complete leaves after a callback with a different selling partner id."""
    with live.app.app_context():
        account = db.session.query(AmazonAccount).filter_by(region="EU").one()
        account.selling_partner_id, account.refresh_token = OTHER, "Atzr|other"
        account.status = "unconfirmed"
        account.status_reason = f"Amazon seller {OTHER} was connected"
        for market in account.marketplaces:
            market.enabled, market.paused = False, True
        db.session.commit()


def test_the_admin_sees_and_confirms_the_seller_connected_in_place_of_the_previous_one(page, live):
    _eu_connected_to_another_seller(live)
    frame = open_crossport(page, live)
    go(frame, "Onboarding")
    eu = frame.locator("#regions tr[data-region=EU]")
    expect(eu.locator(".badge")).to_have_text("To confirm")
    expect(eu).to_contain_text(f"Amazon seller {OTHER} was connected in place of the previous one")
    germany = frame.locator(f"#marketplaces tr[data-marketplace={seed.DE}]")
    expect(germany.locator("input[type=checkbox]")).to_have_count(0)  # cannot be enabled yet
    shot(page, "confirm-seller-01-unconfirmed")

    eu.locator("button[data-action=confirm]").click()

    expect(frame.locator("#toast")).to_have_text(f"Amazon seller {OTHER} confirmed.")
    expect(eu.locator(".badge")).to_have_text("Connected")
    expect(eu.locator("button[data-action=confirm]")).to_have_count(0)
    expect(germany.locator("input[type=checkbox]")).to_be_checked()
    with live.app.app_context():
        account = db.session.query(AmazonAccount).filter_by(region="EU").one()
        assert (account.status, account.selling_partner_id) == ("connected", OTHER)
        market = db.session.query(TargetMarketplace).filter_by(marketplace_id=seed.DE).one()
        assert (market.enabled, market.paused) == (True, False)
    shot(page, "confirm-seller-02-confirmed")
    assert page.errors == []
