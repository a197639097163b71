"""A product type's mapping form and the conditional requirements of a mapping in progress.

Both read the product type's fetched schema (SchemaCache); the form itself is built by
`form_builder` from it.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from core.db import db
from core.models import SchemaCache
from mapping.marketplaces import MARKETPLACES
from web.api.mapping.form_builder import build_form, requirements_now
from web.api.registry import not_found, operation


class FormQuerySchema(Schema):
    marketplace_id = fields.Str(load_default="")


class FormSchema(Schema):
    product_type = fields.Str()
    display_name = fields.Str()
    marketplace_id = fields.Str()
    groups = fields.List(fields.Dict())
    sources = fields.List(fields.Str())


class RequirementsInSchema(Schema):
    marketplace_id = fields.Str(load_default="")
    attributes = fields.Dict(keys=fields.Str(), values=fields.Dict(), load_default=dict)


class RequirementsSchema(Schema):
    required_now = fields.List(fields.Str())


def _schema_row(product_type: str, marketplace_id: str = "") -> SchemaCache | None:
    rows = db.session.query(SchemaCache).filter_by(product_type=product_type)
    if marketplace_id:
        found = (
            rows.filter_by(marketplace_id=marketplace_id)
            .order_by(SchemaCache.fetched_at.desc())
            .first()
        )
        if found is not None:
            return found
    return rows.order_by(SchemaCache.fetched_at.desc()).first()


@operation(
    "/product-types/<product_type>/form",
    tag="mapping",
    query=FormQuerySchema,
    response=FormSchema,
    summary="The mapping form generated from a product type's schema",
)
def product_type_form(product_type: str, query: dict):
    row = _schema_row(product_type, query["marketplace_id"])
    if row is None:
        return not_found("this product type's schema has not been fetched yet")
    form = build_form({**(row.envelope or {}), "productType": product_type}, row.schema or {})
    return {**form, "marketplace_id": row.marketplace_id}


@operation(
    "/product-types/<product_type>/requirements",
    "POST",
    tag="mapping",
    body=RequirementsInSchema,
    response=RequirementsSchema,
    summary="Conditional requirements that apply to the attributes mapped so far",
)
def product_type_requirements(product_type: str, body: dict):
    row = _schema_row(product_type, body["marketplace_id"])
    if row is None:
        return not_found("this product type's schema has not been fetched yet")
    market = MARKETPLACES.get(row.marketplace_id)
    return {
        "required_now": requirements_now(
            row.schema or {},
            body["attributes"],
            row.marketplace_id,
            market.language_tag if market else "en_US",
        )
    }
