"""The client layer under trouble: 429 storms, server errors, timeouts, refused requests,
revoked authorizations; and one API log row per attempt."""

from __future__ import annotations

import dataclasses

import pytest
import redis

from core.db import db
from core.models import Alert, AmazonAccount, ApiCall
from integrations.amazon import listings, sellers
from integrations.amazon.errors import AmazonApiError, AmazonAuthorizationRevoked
from jobs.accounts import client_for

from .conftest import EU_DE
from .listings_data import shirt


def _log(operation: str) -> list[ApiCall]:
    return db.session.query(ApiCall).filter_by(operation=operation).order_by(ApiCall.id).all()


@pytest.mark.parametrize("kind", ["429", "429-empty"])
def test_a_429_storm_ends_with_the_call_done_once(emulator, eu_client, kind):
    # given a listing, and Amazon throttling the next five reads
    listings.put_listing(eu_client, EU_DE, "TEE-1", "SHIRT", shirt(EU_DE, "de_DE", "EUR"))
    emulator.control("POST", "faults", json={"kind": kind, "operation": "getListingsItem",
                                             "count": 5})  # fmt: skip
    # when the client reads it
    item = listings.get_listing(eu_client, EU_DE, "TEE-1")
    # then it gets the listing, after exactly five throttled attempts and one good one
    assert item["sku"] == "TEE-1"
    statuses = [c["status"] for c in emulator.calls("getListingsItem")]
    assert statuses == [429] * 5 + [200]
    rows = _log("getListingsItem")
    assert [r.status_code for r in rows] == [429] * 5 + [200]
    assert rows[0].error_codes == ["QuotaExceeded"] and rows[-1].request_id
    assert all(r.marketplace_id == EU_DE and r.url_path.endswith("/TEE-1") for r in rows)
    # and the single write happened once
    assert len(emulator.calls("putListingsItem")) == 1


def test_server_errors_are_retried(emulator, eu_client):
    emulator.control("POST", "faults", json={"kind": "500", "operation": "*", "count": 1})
    emulator.control("POST", "faults", json={"kind": "503", "operation": "*", "count": 1})
    assert sellers.marketplace_participations(eu_client)
    assert [c["status"] for c in emulator.calls("getMarketplaceParticipations")] == [500, 503, 200]


def test_a_refused_request_is_not_retried(emulator, eu_client):
    with pytest.raises(AmazonApiError) as refused:
        listings.get_listing(eu_client, "ATVPDKIKX0DER", "TEE-1")  # a US id on the EU endpoint
    assert refused.value.status == 400 and not refused.value.retryable
    assert len(emulator.calls("getListingsItem")) == 1
    assert [r.status_code for r in _log("getListingsItem")] == [400]


def test_a_timeout_is_retried(emulator, make_account):
    account = make_account("EU")
    client = client_for(account)
    client.app = dataclasses.replace(client.app, timeout=1.0)
    emulator.control("POST", "faults", json={"kind": "timeout", "operation": "searchListingsItems",
                                             "delay": 1.5})  # fmt: skip
    assert listings.search_listings(client, EU_DE, ["NOPE"]) == []
    rows = _log("searchListingsItems")
    assert [r.status_code for r in rows] == [0, 200]
    assert rows[0].error_codes == ["ReadTimeout"]


def test_revoked_authorization_disconnects_the_account(emulator, seller, make_account):
    # given a working account
    account = make_account("EU")
    client = client_for(account)
    assert sellers.marketplace_participations(client)
    # when the seller revokes the app in Seller Central
    emulator.control("POST", "revoke", json={"seller_id": seller["seller_id"]})
    with pytest.raises(AmazonAuthorizationRevoked):
        sellers.marketplace_participations(client)
    # then the account is disconnected, an alert is raised, and nothing kept retrying
    db.session.expire_all()
    assert db.session.get(AmazonAccount, account.id).status == "disconnected"
    alert = db.session.query(Alert).filter_by(shop_id=account.shop_id).one()
    assert alert.kind == "amazon_disconnected" and alert.severity == "error"
    assert [c["status"] for c in emulator.calls("getMarketplaceParticipations")] == [200, 403]
    assert _log("lwa:getMarketplaceParticipations")[0].error_codes == ["invalid_grant"]
    with pytest.raises(AmazonAuthorizationRevoked):
        client_for(db.session.get(AmazonAccount, account.id))


def test_the_api_log_never_holds_a_token(emulator, seller, eu_client):
    sellers.marketplace_participations(eu_client)
    token = seller["refresh_tokens"]["EU"]
    for row in db.session.query(ApiCall).all():
        assert token not in repr(vars(row)) and "Atza|" not in repr(vars(row))


def test_the_announced_rate_is_learned(emulator, amazon_app, eu_client):
    sellers.marketplace_participations(eu_client)
    rate, burst = eu_client.limiter.plan(
        eu_client.account.selling_partner_id, "getMarketplaceParticipations"
    )
    assert (rate, burst) == (0.8, 15)  # 0.016 x 50 as the emulator announced it
    assert isinstance(eu_client.limiter.redis, redis.Redis)


def test_sp_api_default_marketplace_cannot_redirect_a_client(emulator, eu_client, monkeypatch):
    # the library would send this client's calls to the US marketplace and endpoint
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "US")
    listings.put_listing(eu_client, EU_DE, "TEE-9", "SHIRT", shirt(EU_DE, "de_DE", "EUR"))
    call = emulator.calls("putListingsItem")[0]
    assert (call["region"], call["status"]) == ("EU", 200)
