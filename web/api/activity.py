"""Activity: the API log with filters and CSV export, and alerts."""

from __future__ import annotations

import csv
import io

from flask import Response, g
from marshmallow import Schema, fields, validate

from core.db import db, utcnow
from core.models import Alert, ApiCall
from web.api.registry import not_found, operation

CSV_COLUMNS = (
    "created_at",
    "platform",
    "operation",
    "marketplace_id",
    "method",
    "url_path",
    "status_code",
    "error_codes",
    "error_message",
    "duration_ms",
    "request_id",
)


class ApiCallQuerySchema(Schema):
    platform = fields.Str(load_default="")
    operation = fields.Str(load_default="")
    marketplace_id = fields.Str(load_default="")
    outcome = fields.Str(load_default="", validate=validate.OneOf(("", "ok", "error")))
    error_code = fields.Str(load_default="")
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=100, validate=validate.Range(min=1, max=1000))


class ApiCallSchema(Schema):
    id = fields.Int()
    created_at = fields.DateTime()
    platform = fields.Str()
    operation = fields.Str()
    marketplace_id = fields.Str(allow_none=True)
    method = fields.Str()
    url_path = fields.Str()
    status_code = fields.Int()
    duration_ms = fields.Int()
    request_id = fields.Str(allow_none=True)
    error_codes = fields.List(fields.Str())
    error_message = fields.Str()


class ApiCallPageSchema(Schema):
    items = fields.List(fields.Nested(ApiCallSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()
    operations = fields.List(fields.Str())


class AlertSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    severity = fields.Str()
    message = fields.Str()
    details = fields.Dict()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class AlertQuerySchema(Schema):
    open = fields.Bool(load_default=True)


def _calls(query: dict):
    rows = db.session.query(ApiCall).filter(ApiCall.shop_id == g.shop_id)
    for key in ("platform", "operation", "marketplace_id"):
        if query[key]:
            rows = rows.filter(getattr(ApiCall, key) == query[key])
    if query["outcome"] == "ok":
        rows = rows.filter(ApiCall.status_code.between(200, 399))
    elif query["outcome"] == "error":
        rows = rows.filter((ApiCall.status_code >= 400) | (ApiCall.status_code == 0))
    if query["error_code"]:
        # JSON lists differ between SQLite and PostgreSQL; the text form contains the code.
        rows = rows.filter(db.cast(ApiCall.error_codes, db.String).contains(query["error_code"]))
    return rows.order_by(ApiCall.id.desc())


@operation(
    "/api-calls",
    summary="The API log: every call to Amazon and the store",
    tag="activity",
    query=ApiCallQuerySchema,
    response=ApiCallPageSchema,
)
def list_api_calls(query: dict):
    rows = _calls(query)
    total = rows.count()
    page = rows.offset((query["page"] - 1) * query["per_page"]).limit(query["per_page"]).all()
    operations = [
        op
        for (op,) in db.session.query(ApiCall.operation)
        .filter(ApiCall.shop_id == g.shop_id)
        .distinct()
        .order_by(ApiCall.operation)
    ]
    return {
        "items": page,
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
        "operations": operations,
    }


def _cell(value) -> str:
    text = "" if value is None else (" ".join(value) if isinstance(value, list) else str(value))
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@operation(
    "/api-calls.csv",
    summary="The API log as CSV, with the same filters",
    tag="activity",
    query=ApiCallQuerySchema,
    produces="text/csv",
)
def export_api_calls(query: dict):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for call in _calls(query).limit(100_000):
        writer.writerow([_cell(getattr(call, c)) for c in CSV_COLUMNS])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="crossport-api-log.csv"'},
    )


@operation(
    "/alerts",
    summary="Alerts that need a human",
    tag="activity",
    query=AlertQuerySchema,
    response=AlertSchema,
    many=True,
)
def list_alerts(query: dict):
    rows = db.session.query(Alert).filter_by(shop_id=g.shop_id)
    if query["open"]:
        rows = rows.filter(Alert.resolved_at.is_(None))
    return rows.order_by(Alert.id.desc()).limit(200).all()


@operation(
    "/alerts/<int:alert_id>/resolve",
    "POST",
    summary="Mark an alert as dealt with",
    tag="activity",
    min_role="editor",
    response=AlertSchema,
)
def resolve_alert(alert_id: int):
    alert = db.session.query(Alert).filter_by(id=alert_id, shop_id=g.shop_id).one_or_none()
    if alert is None:
        return not_found("no such alert")
    alert.resolved_at = alert.resolved_at or utcnow()
    db.session.commit()
    return alert
