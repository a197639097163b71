"""Dashboard: last sync times, orders per marketplace per day, problems by code, latencies."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from flask import g
from marshmallow import Schema, fields, validate

from core.db import db, utcnow
from core.models import ApiCall, JobRun, Listing, OrderLink, WebhookEvent
from web.api.account_health import AccountHealthSchema, account_health
from web.api.registry import operation


class DashboardQuerySchema(Schema):
    days = fields.Int(load_default=14, validate=validate.Range(min=1, max=90))


class DashboardSchema(Schema):
    last_sync = fields.Dict(
        keys=fields.Str(),
        values=fields.DateTime(allow_none=True),
        metadata={"description": "what -> when it last succeeded"},
    )
    days = fields.List(fields.Str())
    orders_per_day = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Int()),
        metadata={"description": "marketplace id -> count per day"},
    )
    problems_by_code = fields.List(fields.Dict())
    stock_latency = fields.Dict()
    listing_counts = fields.Dict(keys=fields.Str(), values=fields.Int())
    api_errors_24h = fields.Int()
    api_calls_24h = fields.Int()
    account_health = fields.Nested(AccountHealthSchema)


def _last_sync(shop_id: int) -> dict:
    last: dict = {}
    for kind, at in (
        db.session.query(JobRun.kind, db.func.max(JobRun.finished_at))
        .filter(JobRun.shop_id == shop_id, JobRun.status == "done")
        .group_by(JobRun.kind)
    ):
        last[f"job:{kind}"] = at
    for platform, at in (
        db.session.query(ApiCall.platform, db.func.max(ApiCall.created_at))
        .filter(ApiCall.shop_id == shop_id, ApiCall.status_code.between(200, 399))
        .group_by(ApiCall.platform)
    ):
        last[f"api:{platform}"] = at
    last["orders"] = (
        db.session.query(db.func.max(OrderLink.created_at))
        .filter(OrderLink.shop_id == shop_id)
        .scalar()
    )
    return last


def _orders_per_day(shop_id: int, days: int) -> tuple[list[str], dict]:
    today = utcnow().date()
    labels = [(today - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
    since = utcnow() - timedelta(days=days)
    series: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    rows = db.session.query(
        OrderLink.marketplace_id, OrderLink.purchase_date, OrderLink.created_at
    ).filter(
        OrderLink.shop_id == shop_id,
        db.func.coalesce(OrderLink.purchase_date, OrderLink.created_at) >= since,
    )
    index = {label: i for i, label in enumerate(labels)}
    for marketplace_id, purchased, created in rows:
        day = (purchased or created).date().isoformat()
        if day in index:
            series[marketplace_id][index[day]] += 1
    return labels, dict(series)


def _problems_by_code(shop_id: int) -> list[dict]:
    counts: Counter = Counter()
    rows = db.session.query(Listing.local_problems, Listing.amazon_issues).filter(
        Listing.shop_id == shop_id, Listing.status.in_(("problems", "error", "held", "active"))
    )
    for local, amazon in rows:
        for item in (local or []) + (amazon or []):
            if isinstance(item, dict):
                counts[str(item.get("code") or "unknown")] += 1
    return [{"code": code, "count": n} for code, n in counts.most_common(12)]


def _stock_latency(shop_id: int) -> dict:
    """Seconds from an inventory webhook's arrival to its processing (p50, p95, count)."""
    since = utcnow() - timedelta(days=7)
    rows = (
        db.session.query(WebhookEvent.received_at, WebhookEvent.processed_at)
        .filter(
            WebhookEvent.shop_id == shop_id,
            WebhookEvent.processed_at.is_not(None),
            WebhookEvent.received_at >= since,
            WebhookEvent.topic.ilike("%inventor%"),
        )
        .all()
    )
    seconds = sorted(max(0.0, (done - got).total_seconds()) for got, done in rows)
    if not seconds:
        return {"count": 0, "p50": None, "p95": None}
    pick = lambda q: round(seconds[min(len(seconds) - 1, int(q * len(seconds)))], 1)  # noqa: E731
    return {"count": len(seconds), "p50": pick(0.5), "p95": pick(0.95)}


@operation(
    "/dashboard",
    summary="Sync health, charts and account health",
    tag="dashboard",
    query=DashboardQuerySchema,
    response=DashboardSchema,
)
def get_dashboard(query: dict):
    labels, series = _orders_per_day(g.shop_id, query["days"])
    day_ago = utcnow() - timedelta(days=1)
    calls = (
        db.session.query(ApiCall.status_code)
        .filter(ApiCall.shop_id == g.shop_id, ApiCall.created_at >= day_ago)
        .all()
    )
    listing_counts = dict(
        db.session.query(Listing.status, db.func.count(Listing.id))
        .filter(Listing.shop_id == g.shop_id)
        .group_by(Listing.status)
        .all()
    )
    return {
        "last_sync": _last_sync(g.shop_id),
        "days": labels,
        "orders_per_day": series,
        "problems_by_code": _problems_by_code(g.shop_id),
        "stock_latency": _stock_latency(g.shop_id),
        "listing_counts": listing_counts,
        "api_calls_24h": len(calls),
        "api_errors_24h": sum(1 for (c,) in calls if c == 0 or c >= 400),
        "account_health": account_health(g.shop_id),
    }
