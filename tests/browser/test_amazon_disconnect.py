"""The seller disconnects an Amazon account on the onboarding page, in a real browser inside the
Shopify emulator's store admin: a confirmation first, then the account shown as disconnected,
with its marketplace and listings marked as such and a way to connect it again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Alert, AmazonAccount
from tests.browser import seed
from tests.browser.conftest import act_as_viewer, shot
from tests.browser.test_journey import go, open_crossport

pytestmark = pytest.mark.browser


def _eu_account(live) -> AmazonAccount:
    with live.app.app_context():
        account = db.session.query(AmazonAccount).filter_by(region="EU").one()
        db.session.expunge(account)
        return account


def _give_eu_a_token(live) -> None:
    with live.app.app_context():
        db.session.query(AmazonAccount).filter_by(region="EU").one().refresh_token = "Atzr|eu"
        db.session.commit()


def test_the_seller_disconnects_an_account_after_confirming(page, live):
    _give_eu_a_token(live)
    frame = open_crossport(page, live)
    go(frame, "Onboarding")
    eu = frame.locator("#regions tr[data-region=EU]")
    expect(eu.locator(".badge")).to_have_text("Connected")
    dialog = frame.locator("#disconnect-dialog")

    # the seller asks, reads what it means, and changes their mind
    eu.locator("button[data-action=disconnect]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Disconnect the Amazon EU account?")
    expect(dialog).to_contain_text("Your listings stay on Amazon")
    shot(page, "disconnect-01-confirm")
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    expect(eu.locator(".badge")).to_have_text("Connected")
    assert _eu_account(live).status == "connected"

    # then asks again and confirms
    eu.locator("button[data-action=disconnect]").click()
    frame.locator("#disconnect-confirm").click()
    expect(frame.locator("#toast")).to_have_text("The Amazon EU account is disconnected.")
    expect(eu.locator(".badge")).to_have_text("Disconnected")
    expect(eu).to_contain_text("Disconnected by Ana Owner on")
    expect(eu.locator("button[data-action=disconnect]")).to_have_count(0)
    reconnect = eu.locator("button[data-action=connect]")
    expect(reconnect).to_have_text("Reconnect")
    expect(reconnect).to_be_enabled()
    # its marketplace is shown as disconnected, with the listings left on Amazon
    germany = frame.locator(f"#marketplaces tr[data-marketplace={seed.DE}]")
    expect(germany.locator(".badge")).to_have_text("Disconnected")
    expect(germany.locator("input[type=checkbox]")).to_have_count(0)
    # the other region is untouched
    na = frame.locator("#regions tr[data-region=NA]")
    expect(na.locator(".badge")).to_have_text("Connected")
    shot(page, "disconnect-02-disconnected")

    # what the page shows is what the database holds
    account = _eu_account(live)
    assert (account.status, account.refresh_token, account.disconnected_by) == (
        "disconnected",
        None,
        "Ana Owner",
    )
    with live.app.app_context():
        assert db.session.query(Alert).filter_by(kind="amazon_disconnected").count() == 1

    # the products page marks the product's German listing as disconnected, not in step
    go(frame, "Products")
    vase = frame.locator(f"#products tr[data-product-id='{live.ids['vase']}']")
    expect(vase.locator(f"[data-marketplace={seed.DE}] .badge")).to_have_text("Disconnected")
    expect(vase.locator("[data-marketplace=ATVPDKIKX0DER] .badge")).to_have_text("Active")
    assert page.errors == []
    shot(page, "disconnect-03-products")


def test_a_viewer_cannot_disconnect_even_by_calling_the_server(page, live):
    _give_eu_a_token(live)
    act_as_viewer(page, live)  # the admin's session is the viewer's
    frame = open_crossport(page, live)
    go(frame, "Onboarding")
    button = frame.locator("#regions tr[data-region=EU] button[data-action=disconnect]")
    expect(button).to_be_disabled()
    status = page.frame(name="app-iframe").evaluate(
        """async (id) => {
        try {
          await window.Crossport.api("/amazon/accounts/" + id + "/disconnect", {method: "POST"});
          return "accepted";
        } catch (error) { return error.status + " " + error.code; }
    }""",
        _eu_account(live).id,
    )
    assert status == "403 forbidden"
    account = _eu_account(live)
    assert (account.status, account.refresh_token) == ("connected", "Atzr|eu")
