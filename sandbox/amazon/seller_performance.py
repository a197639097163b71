"""The GET_V2_SELLER_PERFORMANCE_REPORT document, computed from the orders the emulator holds.

The shape follows Amazon's accountHealthReport-2020-11-18 JSON schema (selling-partner-api-models,
schemas/reports): `accountStatuses[]` and `performanceMetrics[]`, one entry per requested
marketplace, every metric with `reportingDateRange`, `status`, `rate`, `targetValue` and
`targetCondition`.

Where the numbers come from:
- order defect rate: orders placed in the window; an order is defective when a test or the demo
  recorded a claim, chargeback or negative feedback on it (POST /_sandbox/orders/<id>/defect);
- late shipment rate: seller-fulfilled orders due to ship in the window (LatestShipDate passed),
  late when the shipment's shipDate is after LatestShipDate or when still unshipped;
- pre-fulfilment cancellation rate: seller-fulfilled orders placed in the window that were
  cancelled before any shipment (the emulator does not know who cancelled: all count);
- valid tracking and on-time delivery: every confirmed shipment carries a tracking number and the
  emulator delivers nothing late, so these are counted, not invented, and always meet the target;
- invoice defects and policy violations: seeded at zero (the emulator has no invoices or policy
  enforcement), so they are GOOD.
Amazon ends the order defect window about two weeks back (claims take time to arrive); here every
window ends now, so an order placed in a demo or a test counts at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .state import iso, utcnow

# metric -> (window in days, target value, target condition), as Seller Central states them
TARGETS: dict[str, tuple[int, float, str]] = {
    "orderDefectRate": (60, 0.01, "LESS_THAN"),
    "lateShipmentRate": (30, 0.04, "LESS_THAN"),
    "preFulfillmentCancellationRate": (7, 0.025, "LESS_THAN"),
    "validTrackingRate": (30, 0.95, "GREATER_THAN"),
    "onTimeDeliveryRate": (14, 0.9, "GREATER_THAN"),
    "unitOnTimeDeliveryRate": (14, 0.9, "GREATER_THAN"),
    "invoiceDefectRate": (7, 0.05, "LESS_THAN"),
}
POLICY_WINDOW_DAYS = 180
POLICY_METRICS = (
    "listingPolicyViolations",
    "productAuthenticityCustomerComplaints",
    "productConditionCustomerComplaints",
    "productSafetyCustomerComplaints",
    "receivedIntellectualPropertyComplaints",
    "restrictedProductPolicyViolations",
    "suspectedIntellectualPropertyViolations",
    "foodAndProductSafetyIssues",
    "otherPolicyViolations",
    "documentRequests",
)
DEFECT_KINDS = ("claims", "chargebacks", "negativeFeedback")
_LEVEL_METRICS = ("orderDefectRate", "lateShipmentRate", "preFulfillmentCancellationRate")


def _range(now: datetime, days: int) -> dict:
    return {"reportingDateFrom": iso(now - timedelta(days=days)), "reportingDateTo": iso(now)}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _rated(name: str, now: datetime, hits: int, total: int, extra: dict) -> dict:
    """A rate metric: rate = hits / total, judged against Amazon's target (GOOD when no orders)."""
    days, target, condition = TARGETS[name]
    rate = round(hits / total, 4) if total else 0.0
    good = rate < target if condition == "LESS_THAN" else (rate > target or total == 0)
    return {"reportingDateRange": _range(now, days), **extra, "status": "GOOD" if good else "BAD",
            "rate": rate, "targetValue": target, "targetCondition": condition}  # fmt: skip


def _order_defects(orders: list[dict], now: datetime, channel: str) -> dict:
    since = (now - timedelta(days=TARGETS["orderDefectRate"][0])).timestamp()
    placed = [o for o in orders if o["FulfillmentChannel"] == channel and o["created"] >= since]
    counts = {kind: sum(1 for o in placed if kind in o.get("defects", ())) for kind in DEFECT_KINDS}
    defective = sum(1 for o in placed if o.get("defects"))
    metric = _rated("orderDefectRate", now, defective, len(placed), {"orderCount": len(placed)})
    metric["orderWithDefects"] = {"count": defective, "status": metric["status"]}
    for kind, count in counts.items():
        metric[kind] = {"count": count, "status": "NONE" if count == 0 else "BAD"}
    metric["fulfillmentType"] = channel.lower()
    return metric


def _late_shipments(orders: list[dict], now: datetime) -> dict:
    since = now - timedelta(days=TARGETS["lateShipmentRate"][0])
    due = [o for o in orders if o["FulfillmentChannel"] == "MFN" and o["OrderStatus"] != "Canceled"
           and since <= _parse(o["LatestShipDate"]) <= now]  # fmt: skip
    late = 0
    for order in due:
        shipped = [_parse(p["shipDate"]) for p in order.get("shipments", []) if p.get("shipDate")]
        if not shipped or min(shipped) > _parse(order["LatestShipDate"]):
            late += 1
    extra = {"orderCount": len(due), "lateShipmentCount": late}
    return _rated("lateShipmentRate", now, late, len(due), extra)


def _cancellations(orders: list[dict], now: datetime) -> dict:
    since = (now - timedelta(days=TARGETS["preFulfillmentCancellationRate"][0])).timestamp()
    placed = [o for o in orders if o["FulfillmentChannel"] == "MFN" and o["created"] >= since]
    cancelled = sum(1 for o in placed if o["OrderStatus"] == "Canceled" and not o["shipments"])
    extra = {"orderCount": len(placed), "cancellationCount": cancelled}
    return _rated("preFulfillmentCancellationRate", now, cancelled, len(placed), extra)


def _tracking(orders: list[dict], now: datetime) -> dict[str, dict]:
    shipments = sum(len(o.get("shipments", [])) for o in orders if o["FulfillmentChannel"] == "MFN")
    units = sum(
        line.get("quantity", 0)
        for o in orders
        for p in o.get("shipments", [])
        for line in p.get("orderItems", [])
    )
    return {
        "validTrackingRate": _rated("validTrackingRate", now, shipments, shipments,
                                    {"shipmentCount": shipments, "validTrackingCount": shipments}),
        "onTimeDeliveryRate": _rated("onTimeDeliveryRate", now, shipments, shipments,
                                     {"shipmentCountWithValidTracking": shipments,
                                      "onTimeDeliveryCount": shipments}),
        "unitOnTimeDeliveryRate": _rated("unitOnTimeDeliveryRate", now, units, units,
                                         {"unitOnTimeDeliveryCount": units,
                                          "totalUnitCount": units}),
    }  # fmt: skip


def _invoices(now: datetime) -> dict:
    metric = _rated("invoiceDefectRate", now, 0, 0, {"orderCount": 0})
    for part in ("invoiceDefect", "missingInvoice", "lateInvoice"):
        metric[part] = {"count": 0, "status": "NONE"}
    return metric


def _policies(now: datetime) -> dict[str, dict]:
    clean = {"reportingDateRange": _range(now, POLICY_WINDOW_DAYS), "defectsCount": 0,
             "status": "GOOD", "targetValue": 0, "targetCondition": "EQUALS"}  # fmt: skip
    return {name: dict(clean) for name in POLICY_METRICS}


def marketplace_metrics(orders: list[dict], marketplace_id: str, now: datetime) -> dict:
    """One `performanceMetrics` entry from one seller's orders in one marketplace."""
    mine = [o for o in orders if o["MarketplaceId"] == marketplace_id]
    return {
        "marketplaceId": marketplace_id,
        "orderDefectRate": {"mfn": _order_defects(mine, now, "MFN"),
                            "afn": _order_defects(mine, now, "AFN")},
        "lateShipmentRate": _late_shipments(mine, now),
        "preFulfillmentCancellationRate": _cancellations(mine, now),
        **_tracking(mine, now),
        "invoiceDefectRate": _invoices(now),
        "warningStates": [],
        "accountHealthRating": {"ahrStatus": "GREAT",
                                "reportingDateRange": _range(now, POLICY_WINDOW_DAYS)},
        **_policies(now),
    }  # fmt: skip


def _at_risk(entry: dict) -> bool:
    levels = [entry["orderDefectRate"]["mfn"], entry["orderDefectRate"]["afn"]]
    levels += [entry[name] for name in _LEVEL_METRICS[1:]]
    return any(level["status"] == "BAD" for level in levels)


def build_report(state, seller_id: str, marketplace_ids: list[str]) -> dict:
    """The whole report document for one seller and the requested marketplaces."""
    now = utcnow().replace(microsecond=0)
    orders = [o for o in state.orders.values() if o["seller"] == seller_id]
    metrics = [marketplace_metrics(orders, mid, now) for mid in marketplace_ids]
    statuses = [{"marketplaceId": m["marketplaceId"],
                 "status": "AT_RISK" if _at_risk(m) else "NORMAL"} for m in metrics]  # fmt: skip
    return {"accountStatuses": statuses, "performanceMetrics": metrics}
