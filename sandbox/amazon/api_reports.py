"""Reports 2021-06-30: createReport, getReport, getReports, getReportDocument.

A report waits IN_QUEUE, is IN_PROGRESS, then DONE with a report document, on a timeline that the
speed-up shortens (as feeds do). The emulator produces GET_V2_SELLER_PERFORMANCE_REPORT only; its
document is computed from the emulator's orders when the report finishes (seller_performance.py)
and is served by URL like every other document (documents.py), gzip-compressed when the
`gzip_reports` option is on, as Amazon compresses many reports.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid

from . import marketplaces, seller_performance
from .dispatch import ApiError, Call
from .state import iso, utcnow

SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
PRODUCED = {SELLER_PERFORMANCE}
FINAL = {"DONE", "FATAL", "CANCELLED"}
PUBLIC_KEYS = (
    "reportId", "reportType", "marketplaceIds", "dataStartTime", "dataEndTime", "createdTime",
    "processingStatus", "processingStartTime", "processingEndTime", "reportDocumentId",
)  # fmt: skip


def _check_marketplaces(em, call: Call, ids: list[str]) -> None:
    seller = em.state.sellers.get(call.seller)
    for mid in ids:
        market = marketplaces.get(mid)
        if market is None or (call.region and market.region != call.region):
            raise ApiError(400, "InvalidInput", f"Invalid marketplaceId {mid!r} for this region.")
        if seller is not None and mid not in seller.marketplaces:
            raise ApiError(400, "InvalidInput", f"The seller does not sell in {mid}.")


def create_report(em, call: Call):
    body = call.body
    if body["reportType"] not in PRODUCED:
        produced = ", ".join(sorted(PRODUCED))
        message = f"The emulator does not produce {body['reportType']}; it produces {produced}."
        raise ApiError(400, "InvalidInput", message)
    _check_marketplaces(em, call, body["marketplaceIds"])
    state, options = em.state, em.state.options
    now = time.time()
    previous = [r["end"] for r in state.reports.values() if r["seller"] == call.seller]
    # a seller's reports are processed one after another ("may be waiting for another report")
    start = max([now + state.scaled(options.report_queue_seconds), *previous])
    report_id = str(70000 + len(state.reports) + 1)
    report = {
        "reportId": report_id, "seller": call.seller, "region": call.region,
        "reportType": body["reportType"], "marketplaceIds": list(body["marketplaceIds"]),
        "createdTime": iso(utcnow()), "processingStatus": "IN_QUEUE",
        "start": start, "end": start + state.scaled(options.report_processing_seconds),
    }  # fmt: skip
    for key in ("dataStartTime", "dataEndTime"):
        if body.get(key):
            report[key] = body[key]
    state.reports[report_id] = report
    return 202, {"reportId": report_id}


def _finish(em, report: dict) -> None:
    document = seller_performance.build_report(em.state, report["seller"], report["marketplaceIds"])
    content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    doc_id = f"amzn1.spdoc.1.4.{(report['region'] or 'na').lower()}.{uuid.uuid4()}"
    stored = {"seller": report["seller"], "uploadable": False, "kind": "report"}
    if em.state.options.gzip_reports:
        stored |= {"content": gzip.compress(content), "contentType": "application/octet-stream",
                   "compressionAlgorithm": "GZIP"}  # fmt: skip
    else:
        stored |= {"content": content, "contentType": "application/json; charset=UTF-8"}
    em.state.documents[doc_id] = stored
    report.update(processingStatus="DONE", reportDocumentId=doc_id,
                  processingEndTime=iso(utcnow()))  # fmt: skip


def advance(em) -> None:
    """Move reports along their timeline; a finished report gets its document exactly once."""
    now = time.time()
    for report in sorted(em.state.reports.values(), key=lambda r: r["start"]):
        if report["processingStatus"] in FINAL:
            continue
        if now >= report["end"]:
            report.setdefault("processingStartTime", iso(utcnow()))
            _finish(em, report)
        elif now >= report["start"]:
            report["processingStatus"] = "IN_PROGRESS"
            report.setdefault("processingStartTime", iso(utcnow()))


def _public(report: dict) -> dict:
    return {k: report[k] for k in PUBLIC_KEYS if k in report}


def get_report(em, call: Call):
    advance(em)
    report = em.state.reports.get(call.path["reportId"])
    if report is None or report["seller"] != call.seller:
        raise ApiError(404, "NotFound", f"Report {call.path['reportId']} not found.")
    return 200, _public(report)


def get_reports(em, call: Call):
    advance(em)
    q = call.query
    types = q.get("reportTypes")
    if not types and not q.get("nextToken"):
        raise ApiError(400, "InvalidInput", "reportTypes or nextToken is required.")
    statuses = q.get("processingStatuses")
    markets = set(q.get("marketplaceIds") or [])
    found = [
        _public(r) for r in sorted(em.state.reports.values(), key=lambda r: r["createdTime"],
                                   reverse=True)
        if r["seller"] == call.seller and (not types or r["reportType"] in types)
        and (not statuses or r["processingStatus"] in statuses)
        and (not markets or markets & set(r["marketplaceIds"]))
    ]  # fmt: skip
    return 200, {"reports": found[: int(q.get("pageSize") or 10)]}


def get_report_document(em, call: Call):
    advance(em)
    doc_id = call.path["reportDocumentId"]
    document = em.state.documents.get(doc_id)
    if document is None or document["seller"] != call.seller or document.get("kind") != "report":
        raise ApiError(404, "NotFound", f"Report document {doc_id} not found.")
    answer = {"reportDocumentId": doc_id, "url": f"{call.base_url}/_documents/{doc_id}"}
    if document.get("compressionAlgorithm"):
        answer["compressionAlgorithm"] = document["compressionAlgorithm"]
    return 200, answer


HANDLERS = {
    "createReport": create_report,
    "getReport": get_report,
    "getReports": get_reports,
    "getReportDocument": get_report_document,
}
