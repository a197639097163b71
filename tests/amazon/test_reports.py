"""The Reports API: the emulator's contract and timeline, its seller performance report computed
from its orders, and Crossport's client reading it (plain and gzip) over HTTP."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.amazon import orders, reports
from integrations.amazon.reports import ReportFormatError, parse_seller_performance
from sandbox.amazon.contracts import Contracts

from .conftest import EU_DE, NA_US, SPEEDUP
from .test_emulator_contracts import _access_token
from .test_operations import _wait

FR = "A13V1IB3VIYZZH"
BASE = "/reports/2021-06-30"


def _call(emulator, token, method, path, region="eu", **kwargs):
    return requests.request(
        method,
        f"{emulator.url}/{region}{BASE}{path}",
        timeout=10,
        headers={"x-amz-access-token": token},
        **kwargs,
    )


def _place(emulator, seller, marketplace=EU_DE, *, days_ago: float = 0, channel="MFN") -> str:
    placed = datetime.now(UTC) - timedelta(days=days_ago)
    order = emulator.control(
        "POST",
        "orders",
        json={
            "seller_id": seller["seller_id"],
            "marketplace_id": marketplace,
            "fulfillment_channel": channel,
            "purchase_date": placed.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "items": [{"sku": "TEE-1", "quantity": 1, "price": "19.90"}],
        },
    )
    return order["AmazonOrderId"]


def _finished_report(client, marketplace_id: str) -> dict:
    report_id = reports.request_seller_performance(client, marketplace_id)
    return _wait(
        lambda: (
            (r := reports.get_report(client, marketplace_id, report_id))["processingStatus"]
            in reports.FINAL_STATUSES
            and r
        ),
        10,
    )


def test_report_answers_keep_the_model(emulator, seller, specs_dir):
    # given a seller's access token
    contracts = Contracts(specs_dir / "sp-api" / "models")
    token = _access_token(emulator, seller, "EU")
    body = {"reportType": reports.SELLER_PERFORMANCE, "marketplaceIds": [EU_DE]}
    # when a report is created, followed, listed and its document asked for
    created = _call(emulator, token, "POST", "/reports", json=body)
    report_id = created.json()["reportId"]
    report = _wait(
        lambda: (
            (r := _call(emulator, token, "GET", f"/reports/{report_id}").json())["processingStatus"]
            == "DONE"
            and r
        )
    )
    listed = _call(
        emulator, token, "GET", "/reports", params={"reportTypes": reports.SELLER_PERFORMANCE}
    )
    document = _call(emulator, token, "GET", f"/documents/{report['reportDocumentId']}")
    # then every answer fits its schema in the model, with the documented statuses and headers
    assert created.status_code == 202
    assert created.headers["x-amzn-RateLimit-Limit"] == f"{0.0167 * SPEEDUP:g}"
    for operation, response in (
        ("createReport", created),
        ("getReports", listed),
        ("getReportDocument", document),
    ):
        assert contracts.check_response(operation, response.status_code, response.json()) == []
    assert contracts.check_response("getReport", 200, report) == []
    assert [r["reportId"] for r in listed.json()["reports"]] == [report_id]
    assert report["marketplaceIds"] == [EU_DE] and report["processingEndTime"]
    assert "compressionAlgorithm" not in document.json()


def test_a_report_waits_in_queue_then_progresses_then_is_done(emulator, seller):
    # given reports that take about half a second in each stage (after the speed-up)
    emulator.control(
        "POST",
        "options",
        json={"report_queue_seconds": 0.5 * SPEEDUP, "report_processing_seconds": 0.5 * SPEEDUP},
    )
    token = _access_token(emulator, seller, "EU")
    body = {"reportType": reports.SELLER_PERFORMANCE, "marketplaceIds": [EU_DE]}
    report_id = _call(emulator, token, "POST", "/reports", json=body).json()["reportId"]
    # when it is polled until it is done
    seen = []
    deadline = time.monotonic() + 10
    while (not seen or seen[-1] != "DONE") and time.monotonic() < deadline:
        report = _call(emulator, token, "GET", f"/reports/{report_id}").json()
        if not seen or seen[-1] != report["processingStatus"]:
            seen.append(report["processingStatus"])
        time.sleep(0.05)
    # then it went through each status in order, and only a done report has a document
    assert seen == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert report["reportDocumentId"].startswith("amzn1.spdoc.1.4.eu.")


def test_wrong_requests_are_refused_as_amazon_does(emulator, seller):
    token = _access_token(emulator, seller, "EU")
    other = emulator.new_seller(name="Someone else")
    other_token = _access_token(emulator, other, "EU")
    body = {"reportType": reports.SELLER_PERFORMANCE, "marketplaceIds": [EU_DE]}
    report_id = _call(emulator, token, "POST", "/reports", json=body).json()["reportId"]
    # a report type the emulator does not make, a US marketplace on the EU endpoint
    unknown = _call(
        emulator,
        token,
        "POST",
        "/reports",
        json={**body, "reportType": "GET_FLAT_FILE_OPEN_LISTINGS_DATA"},
    )
    wrong_region = _call(
        emulator, token, "POST", "/reports", json={**body, "marketplaceIds": [NA_US]}
    )
    # another seller's report, and a listing without report types
    foreign = _call(emulator, other_token, "GET", f"/reports/{report_id}")
    unfiltered = _call(emulator, token, "GET", "/reports")
    assert (unknown.status_code, unknown.json()["errors"][0]["code"]) == (400, "InvalidInput")
    assert "GET_FLAT_FILE_OPEN_LISTINGS_DATA" in unknown.json()["errors"][0]["message"]
    assert wrong_region.status_code == 400 and NA_US in wrong_region.json()["errors"][0]["message"]
    assert foreign.status_code == 404
    assert unfiltered.status_code == 400


def test_create_report_is_throttled_at_its_documented_burst(emulator, seller):
    token = _access_token(emulator, seller, "EU")
    body = {"reportType": reports.SELLER_PERFORMANCE, "marketplaceIds": [EU_DE]}
    statuses = [
        _call(emulator, token, "POST", "/reports", json=body).status_code for _ in range(17)
    ]
    # the burst of 15 passes; the refill (0.0167/s x 50) cannot cover two more in a blink
    assert statuses[:15] == [202] * 15
    assert 429 in statuses[15:]


def test_the_report_is_computed_from_the_sellers_orders(emulator, seller, eu_client):
    # given ten seller-fulfilled orders in Germany: one cancelled, one with an A-to-z claim,
    # one due to ship three days ago and never shipped, one shipped on time; and a quiet France
    placed = [_place(emulator, seller) for _ in range(8)]
    overdue = _place(emulator, seller, days_ago=5)  # ship-by date: two days after purchase
    on_time = _place(emulator, seller, days_ago=4)
    emulator.control("POST", f"orders/{placed[0]}/cancel")
    emulator.control("POST", f"orders/{placed[1]}/defect", json={"kind": "claims"})
    [item] = orders.get_order_items(eu_client, EU_DE, on_time)
    shipped_on = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders.confirm_shipment(
        eu_client,
        EU_DE,
        on_time,
        package_reference="1",
        carrier_code="DHL",
        tracking_number="00340434",
        ship_date=shipped_on,
        items=[{"orderItemId": item["OrderItemId"], "quantity": 1}],
    )
    assert overdue not in placed
    # when Crossport's client fetches the report for each marketplace
    germany = _finished_report(eu_client, EU_DE)
    france = _finished_report(eu_client, FR)
    de = reports.seller_performance(eu_client, EU_DE, germany["reportDocumentId"])[EU_DE]
    fr = reports.seller_performance(eu_client, FR, france["reportDocumentId"])[FR]
    # then the rates are the orders' own, judged against Amazon's targets
    assert (de.order_defect_rate.rate, de.order_defect_rate.order_count) == (0.1, 10)
    assert de.order_defect_rate.defect_count == 1 and not de.order_defect_rate.meets_target
    assert (de.late_shipment_rate.order_count, de.late_shipment_rate.defect_count) == (2, 1)
    assert de.late_shipment_rate.rate == 0.5 and de.late_shipment_rate.status == "BAD"
    cancel = de.pre_fulfillment_cancellation_rate
    assert (cancel.rate, cancel.order_count, cancel.defect_count) == (0.1, 10, 1)
    assert (cancel.target_value, cancel.target_condition) == (0.025, "LESS_THAN")
    assert de.account_status == "AT_RISK"
    assert fr.account_status == "NORMAL" and fr.late_shipment_rate.order_count == 0
    assert all(m.meets_target and m.status == "GOOD" for m in fr.metrics().values())
    # and each metric carries its own reporting period, the cancellation window being 7 days
    start = datetime.fromisoformat(cancel.date_from.replace("Z", "+00:00"))
    end = datetime.fromisoformat(cancel.date_to.replace("Z", "+00:00"))
    assert end - start == timedelta(days=7)


def test_a_gzip_compressed_document_is_decompressed(emulator, seller, eu_client):
    # given Amazon compresses its report documents
    emulator.control("POST", "options", json={"gzip_reports": True})
    _place(emulator, seller)
    report = _finished_report(eu_client, EU_DE)
    # when the client downloads the document
    content = reports.download_document(eu_client, EU_DE, report["reportDocumentId"])
    found = reports.seller_performance(eu_client, EU_DE, report["reportDocumentId"])
    # then the bytes served were gzip, and the client read the JSON inside
    token = _access_token(emulator, seller, "EU")
    info = _call(emulator, token, "GET", f"/documents/{report['reportDocumentId']}").json()
    assert info["compressionAlgorithm"] == "GZIP"
    assert requests.get(info["url"], timeout=10).content[:2] == b"\x1f\x8b"
    assert json.loads(content)["performanceMetrics"][0]["marketplaceId"] == EU_DE
    assert found[EU_DE].pre_fulfillment_cancellation_rate.order_count == 1
    # and one report was asked for, however often it was read
    assert len(emulator.calls("createReport")) == 1


def test_the_document_has_the_fields_of_amazons_schema(emulator, seller, eu_client, specs_dir):
    # given the schema, when it is among the specs (it is not in the folder today)
    schema_path = (
        specs_dir / "sp-api" / "schemas" / "reports" / "accountHealthReport-2020-11-18.json"
    )
    _place(emulator, seller)
    report = _finished_report(eu_client, EU_DE)
    document = json.loads(reports.download_document(eu_client, EU_DE, report["reportDocumentId"]))
    [entry] = document["performanceMetrics"]
    # then the three watched metrics have Amazon's fields, and the rest are present
    for name in ("lateShipmentRate", "preFulfillmentCancellationRate"):
        assert {
            "reportingDateRange",
            "orderCount",
            "status",
            "rate",
            "targetValue",
            "targetCondition",
        } <= set(entry[name]), name
    for channel in ("mfn", "afn"):
        assert {
            "orderWithDefects",
            "claims",
            "chargebacks",
            "negativeFeedback",
            "fulfillmentType",
            "rate",
            "targetValue",
        } <= set(entry["orderDefectRate"][channel])
    assert document["accountStatuses"] == [{"marketplaceId": EU_DE, "status": "NORMAL"}]
    if schema_path.is_file():
        from jsonschema import Draft7Validator

        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        assert [e.message for e in Draft7Validator(schema).iter_errors(document)] == []


def test_parsing_says_where_a_document_is_wrong():
    good = {
        "marketplaceId": EU_DE,
        "lateShipmentRate": {
            "rate": 0.01,
            "status": "GOOD",
            "targetValue": 0.04,
            "targetCondition": "LESS_THAN",
        },
    }
    with pytest.raises(ReportFormatError, match="performanceMetrics"):
        parse_seller_performance({"accountStatuses": []})
    with pytest.raises(ReportFormatError, match=r"performanceMetrics\[1\]: .*marketplaceId"):
        parse_seller_performance({"performanceMetrics": [good, {"rate": 1}]})
    broken = {**good, "lateShipmentRate": {**good["lateShipmentRate"], "rate": "1 %"}}
    with pytest.raises(ReportFormatError, match=r"\[0\]\.lateShipmentRate\.rate: .*'1 %'"):
        parse_seller_performance({"performanceMetrics": [broken]})


def test_parsing_reads_the_spelling_of_amazons_own_example():
    # Amazon's schema example names the cancellation metric prefulfillmentCancelRate
    entry = {
        "marketplaceId": NA_US,
        "prefulfillmentCancelRate": {
            "orderCount": 17197,
            "cancellationCount": 551,
            "status": "GOOD",
            "rate": 0.005,
            "targetValue": 0.01,
            "targetCondition": "LESS_THAN",
            "reportingDateRange": {
                "reportingDateFrom": "2020-11-12T00:00Z",
                "reportingDateTo": "2020-11-18T23:59Z",
            },
        },
    }
    found = parse_seller_performance({"performanceMetrics": [entry]})[NA_US]
    metric = found.pre_fulfillment_cancellation_rate
    assert (metric.order_count, metric.defect_count, metric.rate) == (17197, 551, 0.005)
    assert metric.meets_target and found.late_shipment_rate is None
