"""Live validation preview: how a mapping profile turns a few of the shop's products."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from core.db import db
from core.models import Listing, ProductSnapshot, VariantSnapshot
from web.api.mapping.forms import FormQuerySchema
from web.api.mapping.profiles import find_profile
from web.api.products import enabled_marketplaces, fresh_plan
from web.api.registry import not_found, operation
from web.problem_text import localized_all


class SampleSchema(Schema):
    product_id = fields.Int()
    title = fields.Str()
    marketplace_id = fields.Str()
    plan = fields.List(fields.Dict(), allow_none=True)
    problems = fields.List(fields.Raw())
    status = fields.Str()


@operation(
    "/mappings/<int:profile_id>/samples",
    tag="mapping",
    query=FormQuerySchema,  # the form's ?marketplace_id=; empty: the first enabled one
    response=SampleSchema,
    many=True,
    summary="Live validation of a few products of the mapping's product type",
)
def mapping_samples(profile_id: int, query: dict):
    profile = find_profile(profile_id)
    if profile is None:
        return not_found("no such mapping")
    if not query["marketplace_id"]:
        enabled = enabled_marketplaces(g.shop_id)
        query["marketplace_id"] = enabled[0]["marketplace_id"] if enabled else ""
    products = (
        db.session.query(ProductSnapshot)
        .filter_by(shop_id=g.shop_id, product_type=profile.product_type, deleted=False)
        .order_by(ProductSnapshot.id)
        .limit(3)
        .all()
    )
    samples = []
    for product in products:
        skus = [
            s
            for (s,) in db.session.query(VariantSnapshot.sku).filter_by(
                shop_id=g.shop_id, product_id=product.id
            )
        ]
        listings = (
            db.session.query(Listing)
            .filter(
                Listing.shop_id == g.shop_id,
                Listing.sku.in_(skus),
                *(
                    [Listing.marketplace_id == query["marketplace_id"]]
                    if query["marketplace_id"]
                    else []
                ),
            )
            .all()
            if skus
            else []
        )
        plan = (
            fresh_plan(g.shop_id, product.id, query["marketplace_id"])
            if query["marketplace_id"]
            else None
        )
        problems = [
            p
            for li in listings
            for p in localized_all(li.local_problems) + (li.amazon_issues or [])
        ]
        if plan is not None:
            problems = [p for one in plan for p in one.get("problems", [])]
        status = (
            ("problems" if problems else "ready")
            if plan is not None
            else (listings[0].status if listings else "not_mapped")
        )
        samples.append(
            {
                "product_id": product.id,
                "title": product.title,
                "marketplace_id": query["marketplace_id"],
                "plan": plan,
                "problems": problems,
                "status": status,
            }
        )
    return samples
