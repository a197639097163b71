"""The Amazon seller authorization is bound to the browser that started it, and the seller sees
which selling partner id was connected before anything is sent there.

The attack (issue 14, finding 2): an attacker, admin of their own shop, starts connecting a
region and sends the Seller Central consent link to a victim; the victim, signed in to their
seller account, clicks Confirm; Amazon redirects the *victim's* browser to /amazon/callback
with the attacker's state and the victim's code. That browser never got the cookie of the
browser that started, so nothing is connected. The start itself cannot be handed over either:
its ticket is posted only from Crossport's own pages (the browser's Origin), once.

Every browser-redirect callback of the app (GET routes named .../callback, from the url_map) must
be one of the flows known here to bind its state to the starting browser.
"""

from __future__ import annotations

import requests

from core.db import db
from core.models import AmazonAccount, ApiCall, AuthState, TargetMarketplace
from tests.amazon import conftest as amazon_fixtures
from tests.amazon.test_authorization import _headers
from tests.support.amazon_connect import approve, connect_region, origin_of, start_consent

# the Amazon tests' fixtures: the SP-API emulator on a real port, a seller, the app, a shop
emulator_server, emulator = amazon_fixtures.emulator_server, amazon_fixtures.emulator
seller, amazon_app, shop = amazon_fixtures.seller, amazon_fixtures.amazon_app, amazon_fixtures.shop

# Browser-redirect callbacks and the test that shows a state from another browser is refused.
BROWSER_BOUND_CALLBACKS = {
    "/amazon/callback": "test_a_victim_confirming_an_attackers_consent_link_connects_nothing",
    "/shopify/callback": "tests/shopify/test_install.py"
    "::test_state_from_another_browser_is_refused",
}


def test_every_browser_callback_binds_its_state_to_the_starting_browser(amazon_app):
    callbacks = {
        rule.rule
        for rule in amazon_app.url_map.iter_rules()
        if "GET" in rule.methods and rule.rule.rstrip("/").endswith("/callback")
    }
    unknown = callbacks - set(BROWSER_BOUND_CALLBACKS)
    assert not unknown, f"bind these callbacks' state to the browser (core/browser_binding.py) " \
        f"and add them here with their test: {sorted(unknown)}"  # fmt: skip


def test_a_victim_confirming_an_attackers_consent_link_connects_nothing(
    emulator, seller, amazon_app, shop
):
    # the victim's seller account is the one Seller Central would grant
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
    attacker = amazon_app.test_client()
    consent_link = start_consent(attacker, _headers(amazon_app, shop), "EU")
    # when the victim opens the link in their own browser and confirms at Seller Central
    victim = amazon_app.test_client()
    answer = victim.get(approve(consent_link))
    # then nothing is connected to the attacker's shop, and the victim is told why
    assert answer.status_code == 400
    assert "another browser" in answer.get_data(as_text=True)
    assert db.session.query(AmazonAccount).count() == 0
    assert db.session.query(TargetMarketplace).count() == 0
    # and the victim's code was not even exchanged for a token
    assert not db.session.query(ApiCall).filter_by(operation="lwa:authorization_code").count()


def test_the_starting_browser_with_another_flows_cookie_is_refused_too(
    emulator, seller, amazon_app, shop
):
    """A cookie is good for its own state only: the attacker's own cookie from a second start
    does not make the first state's callback acceptable in another browser."""
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
    headers = _headers(amazon_app, shop)
    first, second = amazon_app.test_client(), amazon_app.test_client()
    link = start_consent(first, headers, "EU")
    start_consent(second, headers, "EU")  # the second browser holds a cookie of its own
    assert second.get(approve(link)).status_code == 400
    assert db.session.query(AmazonAccount).count() == 0


def test_the_start_ticket_is_posted_only_from_crossports_pages_and_once(amazon_app, shop):
    client = amazon_app.test_client()
    started = client.post("/amazon/authorize?region=EU", headers=_headers(amazon_app, shop))
    ticket = started.json["ticket"]
    assert "url" not in started.json  # no consent link leaves the page before the browser is bound
    own = origin_of(amazon_app.config["SETTINGS"].public_url)
    # another site's page (a link, an auto-submitting form) cannot start it in a victim's browser
    for origin in ({}, {"Origin": "https://attacker.example"}, {"Origin": "null"}):
        refused = client.post("/amazon/connect", data={"ticket": ticket}, headers=origin)
        assert refused.status_code == 403, origin
        assert "Set-Cookie" not in refused.headers
    assert client.get(f"/amazon/connect?ticket={ticket}").status_code == 405
    assert client.get(f"/amazon/authorize?region=EU&ticket={ticket}").status_code == 405
    first = client.post("/amazon/connect", data={"ticket": ticket}, headers={"Origin": own})
    assert first.status_code == 303 and "crossport_amazon_state=" in first.headers["Set-Cookie"]
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/amazon" in cookie
    again = client.post("/amazon/connect", data={"ticket": ticket}, headers={"Origin": own})
    assert again.status_code == 400
    # only the digest of the browser's secret is stored with the state
    state = db.session.query(AuthState).filter_by(purpose="amazon_connect").one()
    secret = client.get_cookie("crossport_amazon_state", path="/amazon").value
    assert secret not in str(state.binding) and len(state.binding["browser"]) == 64


def test_a_different_seller_is_shown_and_nothing_is_sent_there_until_confirmed(
    emulator, seller, amazon_app, shop
):
    headers = _headers(amazon_app, shop)
    browser = amazon_app.test_client()
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
    assert connect_region(browser, headers, "EU").status_code == 200
    account = db.session.query(AmazonAccount).one()
    body = {"marketplace_ids": ["A1PA6795UKMFR9"], "enabled": True}
    chosen = browser.post("/amazon/marketplaces", headers=headers, json=body)
    assert chosen.status_code == 200
    # when the region is connected again, this time to another Amazon seller
    other = emulator.new_seller(name="Someone Else")
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": other["seller_id"]})
    page = connect_region(browser, headers, "EU")
    # then the page that comes back names the seller (and the store) it connected
    assert page.status_code == 200
    assert other["seller_id"] in page.get_data(as_text=True)
    assert shop.domain in page.get_data(as_text=True)
    db.session.expire_all()
    account = db.session.get(AmazonAccount, account.id)
    assert (account.status, account.selling_partner_id) == ("unconfirmed", other["seller_id"])
    # and the page's data says so, with the way to confirm it
    onboarding = browser.get("/api/onboarding", headers=headers).json
    eu = next(r for r in onboarding["regions"] if r["region"] == "EU")
    assert eu["selling_partner_id"] == other["seller_id"] and eu["confirm_url"]
    # nothing is enabled there and nothing can be until an admin confirms that seller
    assert not db.session.query(TargetMarketplace).filter_by(enabled=True).count()
    market = db.session.query(TargetMarketplace).filter_by(marketplace_id="A1PA6795UKMFR9").one()
    assert browser.put(f"/api/marketplaces/{market.id}", headers=headers,
                       json={"enabled": True}).status_code == 409  # fmt: skip
    assert browser.post("/amazon/marketplaces", headers=headers, json=body).status_code == 409
    # a confirmation of another id than the one connected (a stale page) changes nothing
    wrong = browser.post(eu["confirm_url"], headers=headers,
                         json={"selling_partner_id": seller["seller_id"]})  # fmt: skip
    assert wrong.status_code == 409
    confirmed = browser.post(eu["confirm_url"], headers=headers,
                             json={"selling_partner_id": other["seller_id"]})  # fmt: skip
    assert confirmed.status_code == 200 and confirmed.json["changed"] is True
    db.session.expire_all()
    assert db.session.get(AmazonAccount, account.id).status == "connected"
    resumed = db.session.query(TargetMarketplace).filter_by(enabled=True).all()
    assert [m.marketplace_id for m in resumed] == ["A1PA6795UKMFR9"]


def test_the_consent_link_leaves_no_token_in_crossports_urls(emulator, amazon_app, shop):
    """The start needs no token in any URL: the ticket travels in a form body."""
    client = amazon_app.test_client()
    link = start_consent(client, _headers(amazon_app, shop), "NA")
    assert "ticket" not in link and "token" not in link
    assert requests.get(link, allow_redirects=False, timeout=10).status_code == 302
