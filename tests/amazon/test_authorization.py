"""Connecting an Amazon account: authorize -> Seller Central consent -> callback, end to end."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import jwt
from sqlalchemy import text

from core.db import db
from core.models import AmazonAccount, AuthState, TargetMarketplace
from integrations.amazon import sellers
from integrations.amazon.accounts import client_for
from tests.support.amazon_connect import approve, start_consent


def _session_token(app, shop) -> str:
    settings = app.config["SETTINGS"]
    now = int(time.time())
    claims = {"iss": f"https://{shop.domain}/admin", "dest": f"https://{shop.domain}",
              "aud": settings.shopify_api_key, "sub": "1", "exp": now + 60, "nbf": now - 1,
              "iat": now, "jti": str(now), "sid": "s"}  # fmt: skip
    return jwt.encode(claims, settings.shopify_api_secret, algorithm="HS256")


def _headers(app, shop) -> dict:
    return {"Authorization": f"Bearer {_session_token(app, shop)}"}


def _consent(client, app, shop, region: str) -> str:
    """Seller Central's consent URL, started in `client` (the seller's browser)."""
    return start_consent(client, _headers(app, shop), region)


_approve = approve


def test_the_seller_connects_a_region_end_to_end(emulator, seller, amazon_app, shop):
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
    # given the seller asks to connect Europe
    browser = amazon_app.test_client()
    consent_url = _consent(browser, amazon_app, shop, "EU")
    query = parse_qs(urlsplit(consent_url).query)
    assert consent_url.startswith(f"{emulator.url}/eu/apps/authorize/consent")
    assert query["application_id"] == [amazon_app.config["SETTINGS"].spapi_app_id]
    # when Amazon sends the seller back after consent
    callback = _approve(consent_url)
    response = browser.get(callback)
    assert response.status_code == 200, response.get_data(as_text=True)
    # then the account is stored, its token encrypted at rest, and it works
    account = db.session.query(AmazonAccount).filter_by(shop_id=shop.id).one()
    assert (account.region, account.selling_partner_id) == ("EU", seller["seller_id"])
    raw = db.session.execute(text("SELECT refresh_token FROM amazon_accounts")).scalar_one()
    assert raw != account.refresh_token and not raw.startswith("Atzr|")
    assert sellers.marketplace_participations(client_for(account))
    # and the marketplaces are there with Amazon's currency and language, not yet chosen
    rows = {m.country_code: m for m in db.session.query(TargetMarketplace).all()}
    assert (rows["SE"].currency, rows["SE"].language) == ("SEK", "sv_SE")
    assert (rows["DE"].domain, rows["DE"].enabled) == ("amazon.de", False)
    assert "US" not in rows


def test_a_replayed_state_is_refused(emulator, seller, amazon_app, shop):
    client = amazon_app.test_client()
    callback = _approve(_consent(client, amazon_app, shop, "FE"))
    assert client.get(callback).status_code == 200
    replay = client.get(callback)
    assert replay.status_code == 400 and "already used" in replay.get_data(as_text=True)
    assert db.session.query(AmazonAccount).count() == 1


def test_a_forged_state_is_refused(emulator, amazon_app, shop):
    client = amazon_app.test_client()
    callback = _approve(_consent(client, amazon_app, shop, "NA"))
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400 and "not ours" in response.get_data(as_text=True)
    assert db.session.query(AmazonAccount).count() == 0


def test_an_expired_state_is_refused(emulator, amazon_app, shop):
    client = amazon_app.test_client()
    callback = _approve(_consent(client, amazon_app, shop, "NA"))
    state = db.session.query(AuthState).filter_by(purpose="amazon_connect").one()
    state.expires_at = state.expires_at.replace(year=2000)
    db.session.commit()
    response = client.get(callback)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_authorize_needs_a_verified_shop(emulator, amazon_app, shop):
    client = amazon_app.test_client()
    assert client.post("/amazon/authorize?region=EU").status_code == 401
    token = _session_token(amazon_app, shop)
    bad = client.post("/amazon/authorize?region=XX", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400


def test_the_seller_chooses_target_marketplaces(emulator, seller, amazon_app, shop):
    emulator.control("POST", "consent", json={"region": "EU", "seller_id": seller["seller_id"]})
    client = amazon_app.test_client()
    client.get(_approve(_consent(client, amazon_app, shop, "EU")))
    headers = _headers(amazon_app, shop)
    chosen = client.post(
        "/amazon/marketplaces",
        headers=headers,
        json={"marketplace_ids": ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]},
    )
    assert chosen.get_json()["updated"] == ["A13V1IB3VIYZZH", "A1PA6795UKMFR9"]
    listed = client.get("/amazon/accounts", headers=headers).get_json()["accounts"][0]
    enabled = sorted(m["country_code"] for m in listed["marketplaces"] if m["enabled"])
    assert enabled == ["DE", "FR"]
