"""Emulator behaviours beyond single calls: feeds that fail, orders that change, reports,
expiring tokens, and the emulator as its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sp_api.api import Feeds, Reports
from sp_api.base.exceptions import SellingApiRequestThrottledException

from integrations.amazon import feeds, orders, sellers

from .conftest import EU_DE
from .test_operations import _wait

REPO = Path(__file__).resolve().parents[2]


def test_a_feed_that_is_not_utf8_json_ends_fatal_with_a_report(emulator, seller, eu_client):
    api = eu_client.api(Feeds, EU_DE,
                        version=feeds.VERSION)  # fmt: skip
    created = eu_client.call(
        "createFeedDocument", lambda: api.create_feed_document(None, feeds.JSON_CONTENT_TYPE)
    ).payload
    requests.put(created["url"], data='{"header": caf\xe9'.encode("latin-1"), timeout=10)
    feed_id = eu_client.call(
        "createFeed",
        lambda: api.create_feed(
            "JSON_LISTINGS_FEED", created["feedDocumentId"], marketplaceIds=[EU_DE]
        ),
    ).payload["feedId"]
    feed = _wait(lambda: (f := feeds.get_feed(eu_client, EU_DE, feed_id))
                 and f["processingStatus"] in feeds.FINAL_STATUSES and f)  # fmt: skip
    assert feed["processingStatus"] == "FATAL"
    report = feeds.download_report(eu_client, EU_DE, feed["resultFeedDocumentId"])
    assert "UTF-8" in report["issues"][0]["message"]


def test_a_cancelled_order_shows_up_as_changed(emulator, seller, eu_client):
    order = emulator.control(
        "POST",
        "orders",
        json={"seller_id": seller["seller_id"], "marketplace_id": EU_DE, "items": [{"sku": "A"}]},
    )
    time.sleep(0.05)
    mark = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    emulator.control("POST", f"orders/{order['AmazonOrderId']}/cancel")
    changed = [o for kind, o in orders.iter_orders(eu_client, [EU_DE], last_updated_after=mark)
               if kind == "order"]  # fmt: skip
    assert [(o["AmazonOrderId"], o["OrderStatus"]) for o in changed] == [
        (order["AmazonOrderId"], "Canceled")]  # fmt: skip


def test_orders_in_many_marketplaces_and_currencies(emulator, seller, make_account):
    from integrations.amazon.accounts import client_for

    client = client_for(make_account("FE"))
    emulator.control("POST", "orders", json={"seller_id": seller["seller_id"],
                     "marketplace_id": "A1VC38T7YXB528", "fulfillment_channel": "AFN",
                     "items": [{"sku": "JP-1", "quantity": 1, "price": "2980"}]})  # fmt: skip
    emulator.control("POST", "orders", json={"seller_id": seller["seller_id"],
                     "marketplace_id": "A39IBJ37TRP1C6",
                     "items": [{"sku": "AU-1", "quantity": 3, "price": "12.50"}]})  # fmt: skip
    found = {o["MarketplaceId"]: o for kind, o in orders.iter_orders(
        client, ["A1VC38T7YXB528", "A39IBJ37TRP1C6"], created_after="2020-01-01T00:00:00Z")
        if kind == "order"}  # fmt: skip
    assert found["A1VC38T7YXB528"]["OrderTotal"] == {"CurrencyCode": "JPY", "Amount": "2980"}
    assert found["A1VC38T7YXB528"]["OrderStatus"] == "Shipped"  # FBA: Amazon ships
    assert found["A39IBJ37TRP1C6"]["OrderTotal"] == {"CurrencyCode": "AUD", "Amount": "37.50"}


def test_seller_performance_report(emulator, seller, eu_client):
    api = eu_client.api(Reports, EU_DE)
    report_id = eu_client.call(
        "createReport",
        lambda: api.create_report(
            reportType="GET_V2_SELLER_PERFORMANCE_REPORT", marketplaceIds=[EU_DE]
        ),
    ).payload["reportId"]
    report = _wait(lambda: (r := eu_client.call("getReport", lambda: api.get_report(report_id))
                            .payload)["processingStatus"] == "DONE" and r)  # fmt: skip
    document = eu_client.call("getReportDocument", lambda: api._request(
        f"/reports/2021-06-30/documents/{report['reportDocumentId']}", params={},
        add_marketplace=False)).payload  # fmt: skip
    metrics = requests.get(document["url"], timeout=10).json()["performanceMetrics"]
    assert metrics[0]["marketplaceId"] == EU_DE


def test_an_expired_access_token_is_renewed(emulator, eu_client):
    emulator.control("POST", "options", json={"access_token_seconds": 1})
    eu_client.forget_access_token()
    assert sellers.marketplace_participations(eu_client)
    time.sleep(1.1)  # Amazon's token expired; the client's cache still holds it
    assert sellers.marketplace_participations(eu_client)
    assert [c["status"] for c in emulator.calls("getMarketplaceParticipations")] == [200, 403, 200]


def test_a_token_of_one_region_is_refused_in_another(emulator, seller):
    token = requests.post(f"{emulator.url}/auth/o2/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": seller["refresh_tokens"]["EU"],
        "client_id": "c", "client_secret": "s"}).json()["access_token"]  # fmt: skip
    response = requests.get(f"{emulator.url}/fe/sellers/v1/marketplaceParticipations",
                            headers={"x-amz-access-token": token}, timeout=10)  # fmt: skip
    assert response.status_code == 403


def test_the_emulator_runs_as_a_process(tmp_path):
    from tests.support.servers import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sandbox.amazon", "--port", str(port),
                                "--speedup", "10"], cwd=REPO,
                               env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                seller = requests.post(f"{url}/_sandbox/sellers", json={}, timeout=2).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        token = requests.post(f"{url}/auth/o2/token", timeout=5, data={
            "grant_type": "refresh_token", "refresh_token": seller["refresh_tokens"]["NA"],
            "client_id": "c", "client_secret": "s"}).json()["access_token"]  # fmt: skip
        answer = requests.get(f"{url}/na/sellers/v1/marketplaceParticipations", timeout=5,
                              headers={"x-amz-access-token": token})  # fmt: skip
        assert [p["marketplace"]["countryCode"] for p in answer.json()["payload"]][:1] == ["US"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_sixth_listings_feed_in_five_minutes_of_a_region_is_refused(emulator, seller, eu_client):
    """Amazon's May 2025 rule, on top of createFeed's bucket (burst 15): 5 per region."""
    api = eu_client.api(Feeds, EU_DE, version=feeds.VERSION)

    def document() -> str:
        created = eu_client.call(
            "createFeedDocument", lambda: api.create_feed_document(None, feeds.JSON_CONTENT_TYPE)
        ).payload
        requests.put(created["url"], data=b'{"header": {}, "messages": []}', timeout=10)
        return created["feedDocumentId"]

    for _ in range(5):
        doc = document()
        eu_client.call("createFeed", lambda d=doc: api.create_feed(
            "JSON_LISTINGS_FEED", d, marketplaceIds=[EU_DE]))  # fmt: skip
    doc = document()
    # straight through the library, past the client's own retries, to see Amazon's answer
    with pytest.raises(SellingApiRequestThrottledException) as refused:
        api.create_feed("JSON_LISTINGS_FEED", doc, marketplaceIds=[EU_DE])
    assert "5 minutes per region" in str(refused.value.message)
    statuses = [c["status"] for c in emulator.calls("createFeed")]
    assert statuses == [202] * 5 + [429]
