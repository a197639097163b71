"""Account health on the dashboard: Amazon's rates per marketplace beside Crossport's own.

Amazon's rates come from the seller performance report the account health job stores. Crossport's
own rates are computed from the orders it imported, over the same reporting period as Amazon's
figure when there is one (otherwise over Amazon's usual window), so the two can be compared:
- pre-fulfilment cancellation rate: seller-fulfilled orders placed in the period that were
  cancelled before a shipment was confirmed;
- late shipment rate: seller-fulfilled orders due to ship in the period (ship-by date passed)
  whose shipment Crossport confirmed after the ship-by date, or not at all yet;
- order defect rate: not computed, Crossport never sees claims, chargebacks or feedback.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g
from marshmallow import Schema, fields

from core.db import db, utcnow
from core.models import AccountHealth, AmazonAccount, OrderLink, TargetMarketplace
from core.times import parse_utc
from jobs.account_health import request_refresh
from web.api.registry import conflict, operation

# Amazon's usual windows (days), used for Crossport's own rates before any report arrived.
DEFAULT_WINDOWS = {"late_shipment_rate": 30, "pre_fulfillment_cancellation_rate": 7}
WATCHED = ("order_defect_rate", "late_shipment_rate", "pre_fulfillment_cancellation_rate")


class AmazonMetricSchema(Schema):
    rate = fields.Float()
    status = fields.Str(metadata={"description": "Amazon's verdict: GOOD, BAD or NONE"})
    target_value = fields.Float(allow_none=True)
    target_condition = fields.Str(allow_none=True, metadata={"description": "e.g. LESS_THAN"})
    date_from = fields.Str(allow_none=True, metadata={"description": "reporting period start"})
    date_to = fields.Str(allow_none=True, metadata={"description": "reporting period end"})
    order_count = fields.Int(allow_none=True)
    defect_count = fields.Int(allow_none=True)
    meets_target = fields.Bool()


class OwnRateSchema(Schema):
    rate = fields.Float(allow_none=True, metadata={"description": "null: no orders to judge"})
    orders = fields.Int()
    count = fields.Int(metadata={"description": "late shipments or cancellations"})
    date_from = fields.DateTime()
    date_to = fields.DateTime()


class MarketplaceHealthSchema(Schema):
    marketplace_id = fields.Str()
    country_code = fields.Str()
    status = fields.Str(allow_none=True, metadata={"description": "requested|done|failed|null"})
    account_status = fields.Str(metadata={"description": "NORMAL, AT_RISK, DEACTIVATED or ''"})
    requested_at = fields.DateTime(allow_none=True)
    fetched_at = fields.DateTime(allow_none=True)
    period_start = fields.DateTime(allow_none=True)
    period_end = fields.DateTime(allow_none=True)
    message = fields.Str()
    amazon = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(AmazonMetricSchema),
        metadata={"description": "metric -> Amazon's figure"},
    )
    own = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(OwnRateSchema, allow_none=True),
        metadata={"description": "metric -> Crossport's figure (null: unknown to Crossport)"},
    )


class AccountHealthSchema(Schema):
    orders = fields.Int(metadata={"description": "orders Crossport imported, all time"})
    refreshing = fields.Bool(metadata={"description": "a report is on its way from Amazon"})
    marketplaces = fields.List(fields.Nested(MarketplaceHealthSchema))


class RefreshSchema(Schema):
    queued = fields.Int(metadata={"description": "Amazon accounts whose reports were requested"})


def _period(amazon: dict, name: str, now: datetime) -> tuple[datetime, datetime]:
    metric = amazon.get(name) or {}
    start, end = parse_utc(metric.get("date_from")), parse_utc(metric.get("date_to"))
    if start and end:
        return start, end
    return now - timedelta(days=DEFAULT_WINDOWS[name]), now


def _rate(count: int, orders: int, start: datetime, end: datetime) -> dict:
    rate = round(count / orders, 4) if orders else None
    return {"rate": rate, "orders": orders, "count": count, "date_from": start, "date_to": end}


def _cancellations(links: list[OrderLink], start: datetime, end: datetime) -> dict:
    placed = [o for o in links if o.purchase_date and start <= o.purchase_date <= end]
    cancelled = [
        o
        for o in placed
        if o.amazon_status == "Canceled" and not (o.shipment or {}).get("confirmed_at")
    ]
    return _rate(len(cancelled), len(placed), start, end)


def _late_shipments(links: list[OrderLink], start: datetime, end: datetime, now: datetime):
    due = [
        o
        for o in links
        if o.latest_ship_date
        and start <= o.latest_ship_date <= min(end, now)
        and o.amazon_status != "Canceled"
    ]
    late = 0
    for order in due:
        confirmed = parse_utc((order.shipment or {}).get("confirmed_at"))
        if confirmed is None or confirmed > order.latest_ship_date:
            late += 1
    return _rate(late, len(due), start, end)


def own_rates(links: list[OrderLink], amazon: dict, now: datetime) -> dict:
    """Crossport's figures for one marketplace, over Amazon's reporting periods."""
    mfn = [o for o in links if o.fulfillment_channel == "MFN"]
    late_period = _period(amazon, "late_shipment_rate", now)
    cancel_period = _period(amazon, "pre_fulfillment_cancellation_rate", now)
    return {
        "order_defect_rate": None,
        "late_shipment_rate": _late_shipments(mfn, *late_period, now),
        "pre_fulfillment_cancellation_rate": _cancellations(mfn, *cancel_period),
    }


def account_health(shop_id: int) -> dict:
    """Amazon's and Crossport's rates for each enabled marketplace of the shop."""
    now = utcnow()
    targets = (
        db.session.query(TargetMarketplace)
        .filter_by(shop_id=shop_id, enabled=True)
        .order_by(TargetMarketplace.country_code)
        .all()
    )
    reports = {
        (r.account_id, r.marketplace_id): r
        for r in db.session.query(AccountHealth).filter_by(shop_id=shop_id)
    }
    since = now - timedelta(days=90)  # wider than any reporting period
    recent = db.session.query(OrderLink).filter(
        OrderLink.shop_id == shop_id,
        db.func.coalesce(OrderLink.purchase_date, OrderLink.created_at) >= since,
    )
    by_market: dict[str, list[OrderLink]] = {}
    for link in recent:
        by_market.setdefault(link.marketplace_id, []).append(link)
    rows = []
    for target in targets:
        report = reports.get((target.account_id, target.marketplace_id))
        stored = (report.metrics or {}) if report else {}
        amazon = {name: stored[name] for name in WATCHED if name in stored}
        rows.append({
            "marketplace_id": target.marketplace_id, "country_code": target.country_code,
            "status": report.status if report else None,
            "account_status": report.account_status if report else "",
            "requested_at": report.requested_at if report else None,
            "fetched_at": report.fetched_at if report else None,
            "period_start": report.period_start if report else None,
            "period_end": report.period_end if report else None,
            "message": report.message if report else "",
            "amazon": amazon,
            "own": own_rates(by_market.get(target.marketplace_id, []), amazon, now),
        })  # fmt: skip
    orders = db.session.query(db.func.count(OrderLink.id)).filter_by(shop_id=shop_id).scalar()
    return {
        "orders": orders or 0,
        "refreshing": any(r["status"] == "requested" for r in rows),
        "marketplaces": rows,
    }


@operation(
    "/account-health/refresh",
    "POST",
    summary="Ask Amazon for a fresh seller performance report of every connected account",
    tag="dashboard",
    min_role="editor",
    response=RefreshSchema,
    status=202,
)
def refresh_account_health():
    accounts = (
        db.session.query(AmazonAccount.id)
        .filter_by(shop_id=g.shop_id, status="connected")
        .order_by(AmazonAccount.id)
        .all()
    )
    if not accounts:
        return conflict("no_amazon_account", "Connect an Amazon seller account first.")
    for (account_id,) in accounts:
        request_refresh(account_id, g.shop_id)
    return {"queued": len(accounts)}
