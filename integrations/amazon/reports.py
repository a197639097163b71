"""Reports 2021-06-30: request the seller performance report, follow it, read its document.

GET_V2_SELLER_PERFORMANCE_REPORT is a JSON document (accountHealthReport-2020-11-18 schema) with
one `performanceMetrics` entry per marketplace. Crossport asks for one marketplace per report:
Amazon refuses several marketplaces at once for some report types, and one report per
marketplace is always accepted. The document is downloaded by documents.py, not by the library,
which would guess its text encoding; it may be gzip-compressed (`compressionAlgorithm`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sp_api.api import Reports

from . import documents
from .client import SpApiClient
from .documents import DocumentFormatError

VERSION = "2021-06-30"
SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
FINAL_STATUSES = {"DONE", "FATAL", "CANCELLED"}
# Amazon's own schema names the metric preFulfillmentCancellationRate, but its example (and some
# older documents) spell it prefulfillmentCancelRate: both are read.
_CANCELLATION_KEYS = ("preFulfillmentCancellationRate", "prefulfillmentCancelRate")
_DEFECT_COUNT_KEYS = ("lateShipmentCount", "cancellationCount")


class ReportFormatError(DocumentFormatError):
    """A report document that does not have the shape Amazon documents; says where."""


@dataclass(frozen=True)
class Metric:
    """One rate of the report, as Amazon judges it against its target."""

    rate: float
    status: str  # GOOD | BAD | NONE
    target_value: float | None
    target_condition: str | None  # LESS_THAN | GREATER_THAN | EQUALS
    date_from: str | None
    date_to: str | None
    order_count: int | None
    defect_count: int | None  # orders with defects, late shipments or cancellations

    @property
    def meets_target(self) -> bool:
        """True unless Amazon says BAD or the rate is on the wrong side of the target."""
        if self.status == "BAD":
            return False
        if self.target_value is None:
            return True
        if self.target_condition == "LESS_THAN":
            return self.rate < self.target_value
        if self.target_condition == "GREATER_THAN":
            return self.rate > self.target_value
        return self.rate == self.target_value


@dataclass(frozen=True)
class MarketplacePerformance:
    """The three rates Crossport watches for one marketplace, and the account's status there."""

    marketplace_id: str
    account_status: str | None  # NORMAL | AT_RISK | DEACTIVATED
    order_defect_rate: Metric | None  # seller-fulfilled orders (mfn)
    order_defect_rate_afn: Metric | None
    late_shipment_rate: Metric | None
    pre_fulfillment_cancellation_rate: Metric | None

    def metrics(self) -> dict[str, Metric]:
        """The metrics present, by Crossport's name for them."""
        named = {
            "order_defect_rate": self.order_defect_rate,
            "order_defect_rate_afn": self.order_defect_rate_afn,
            "late_shipment_rate": self.late_shipment_rate,
            "pre_fulfillment_cancellation_rate": self.pre_fulfillment_cancellation_rate,
        }
        return {name: metric for name, metric in named.items() if metric is not None}

    def to_dict(self) -> dict:
        return asdict(self)


def request_seller_performance(client: SpApiClient, marketplace_id: str) -> str:
    """Ask Amazon for a seller performance report of one marketplace; returns the report id."""
    api = client.api(Reports, marketplace_id, version=VERSION)
    created = client.call(
        "createReport",
        lambda: api.create_report(reportType=SELLER_PERFORMANCE, marketplaceIds=[marketplace_id]),
        marketplace_id=marketplace_id,
    ).payload
    return str(created["reportId"])


def get_report(client: SpApiClient, marketplace_id: str, report_id: str) -> dict:
    """The report's processing status (IN_QUEUE, IN_PROGRESS, DONE, FATAL, CANCELLED)."""
    api = client.api(Reports, marketplace_id, version=VERSION)
    return dict(client.call("getReport", lambda: api.get_report(report_id),
                            marketplace_id=marketplace_id).payload)  # fmt: skip


def download_document(client: SpApiClient, marketplace_id: str, document_id: str) -> bytes:
    """The bytes of a report document, decompressed when Amazon compressed them."""
    api = client.api(Reports, marketplace_id, version=VERSION)
    # Without download=True the library only fetches the document's URL (and keeps our transport).
    info = client.call("getReportDocument", lambda: api.get_report_document(document_id),
                       marketplace_id=marketplace_id).payload  # fmt: skip
    return documents.download(client, "downloadReportDocument", info,
                              marketplace_id=marketplace_id)  # fmt: skip


def seller_performance(client: SpApiClient, marketplace_id: str, document_id: str):
    """The parsed seller performance report of a finished report, by marketplace id."""
    try:
        content = download_document(client, marketplace_id, document_id)
        document = documents.decode_json(content, f"report document {document_id}")
    except DocumentFormatError as exc:  # a report that cannot be read is a report error
        raise ReportFormatError(str(exc)) from exc
    return parse_seller_performance(document)


def parse_seller_performance(document: object) -> dict[str, MarketplacePerformance]:
    """The three watched rates per marketplace from a GET_V2_SELLER_PERFORMANCE_REPORT document."""
    if not isinstance(document, dict) or not isinstance(document.get("performanceMetrics"), list):
        raise ReportFormatError("the report has no 'performanceMetrics' list")
    statuses = {
        entry.get("marketplaceId"): entry.get("status")
        for entry in document.get("accountStatuses") or []
        if isinstance(entry, dict)
    }
    found: dict[str, MarketplacePerformance] = {}
    for index, entry in enumerate(document["performanceMetrics"]):
        where = f"performanceMetrics[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("marketplaceId"), str):
            raise ReportFormatError(f"{where}: an object with a 'marketplaceId' is expected")
        defects = entry.get("orderDefectRate") or {}
        cancel_key = next((k for k in _CANCELLATION_KEYS if k in entry), _CANCELLATION_KEYS[0])
        found[entry["marketplaceId"]] = MarketplacePerformance(
            marketplace_id=entry["marketplaceId"],
            account_status=statuses.get(entry["marketplaceId"]),
            order_defect_rate=_metric(defects.get("mfn"), f"{where}.orderDefectRate.mfn"),
            order_defect_rate_afn=_metric(defects.get("afn"), f"{where}.orderDefectRate.afn"),
            late_shipment_rate=_metric(entry.get("lateShipmentRate"), f"{where}.lateShipmentRate"),
            pre_fulfillment_cancellation_rate=_metric(entry.get(cancel_key),
                                                      f"{where}.{cancel_key}"),
        )  # fmt: skip
    return found


def _metric(raw: object, where: str) -> Metric | None:
    """A Metric from one metric object; None when Amazon left the metric out."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ReportFormatError(f"{where}: an object is expected, got {type(raw).__name__}")
    dates = raw.get("reportingDateRange") or {}
    defects = next((raw[k] for k in _DEFECT_COUNT_KEYS if k in raw), None)
    if defects is None and isinstance(raw.get("orderWithDefects"), dict):
        defects = raw["orderWithDefects"].get("count")
    return Metric(
        rate=_number(raw.get("rate"), f"{where}.rate"),
        status=str(raw.get("status") or "NONE"),
        target_value=_number(raw["targetValue"], f"{where}.targetValue")
        if raw.get("targetValue") is not None
        else None,
        target_condition=raw.get("targetCondition"),
        date_from=dates.get("reportingDateFrom"),
        date_to=dates.get("reportingDateTo"),
        order_count=_count(raw.get("orderCount"), f"{where}.orderCount"),
        defect_count=_count(defects, f"{where} defects count"),
    )


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportFormatError(f"{where}: a number is expected, got {value!r}")
    return float(value)


def _count(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportFormatError(f"{where}: a count is expected, got {value!r}")
    return int(value)
