"""Orders: Amazon orders, the store orders they became, shipments, failed imports and retry."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from core.db import db
from core.models import OrderLink
from jobs.queues import enqueue
from mapping.marketplaces import MARKETPLACES
from web.api.registry import conflict, not_found, operation


class OrderQuerySchema(Schema):
    state = fields.Str(load_default="")
    marketplace_id = fields.Str(load_default="")
    q = fields.Str(load_default="")
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=250))


class OrderSchema(Schema):
    id = fields.Int()
    amazon_order_id = fields.Str()
    marketplace_id = fields.Str()
    marketplace_name = fields.Str()
    fulfillment_channel = fields.Str()
    amazon_status = fields.Str()
    state = fields.Str()
    store_order_id = fields.Str(allow_none=True)
    store_order_name = fields.Str()
    currency = fields.Str()
    total = fields.Str()
    error = fields.Str()
    attempts = fields.Int()
    shipment = fields.Dict()
    purchase_date = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class OrderPageSchema(Schema):
    items = fields.List(fields.Nested(OrderSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()
    failed = fields.Int()


class RetrySchema(Schema):
    job_id = fields.Str()
    order = fields.Nested(OrderSchema)


def order_view(link: OrderLink) -> dict:
    known = MARKETPLACES.get(link.marketplace_id)
    view = {c: getattr(link, c) for c in OrderSchema._declared_fields if hasattr(link, c)}
    view["marketplace_name"] = known.site if known else link.marketplace_id
    view["shipment"] = link.shipment or {}
    return view


@operation(
    "/orders",
    summary="Imported Amazon orders and failed imports",
    tag="orders",
    query=OrderQuerySchema,
    response=OrderPageSchema,
)
def list_orders(query: dict):
    rows = db.session.query(OrderLink).filter_by(shop_id=g.shop_id)
    if query["state"]:
        rows = rows.filter_by(state=query["state"])
    if query["marketplace_id"]:
        rows = rows.filter_by(marketplace_id=query["marketplace_id"])
    if query["q"]:
        rows = rows.filter(
            OrderLink.amazon_order_id.ilike(f"%{query['q']}%")
            | OrderLink.store_order_name.ilike(f"%{query['q']}%")
        )
    total = rows.count()
    page = (
        rows.order_by(OrderLink.purchase_date.desc().nulls_last(), OrderLink.id.desc())
        .offset((query["page"] - 1) * query["per_page"])
        .limit(query["per_page"])
        .all()
    )
    failed = (
        db.session.query(func.count(OrderLink.id))
        .filter_by(shop_id=g.shop_id, state="failed")
        .scalar()
    )
    return {
        "items": [order_view(o) for o in page],
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
        "failed": failed,
    }


@operation(
    "/orders/<int:order_id>/retry",
    "POST",
    summary="Retry a failed order import",
    tag="orders",
    min_role="editor",
    response=RetrySchema,
    status=202,
)
def retry_order(order_id: int):
    link = db.session.query(OrderLink).filter_by(id=order_id, shop_id=g.shop_id).one_or_none()
    if link is None:
        return not_found("no such order")
    if link.state != "failed":
        return conflict("not_failed", "only a failed import can be retried")
    job = enqueue(
        "jobs.orders.retry_order",
        link.id,
        queue="orders",
        job_id=f"order-retry-{link.id}",
        title=f"Retry order {link.amazon_order_id}",
        shop_id=g.shop_id,
    )
    return {"job_id": job.id, "order": order_view(link)}
