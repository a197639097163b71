"""Mapping: product types (suggested from the product), schema forms, profiles CRUD, samples."""

from __future__ import annotations

import re

from flask import g
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from core.db import db
from core.models import Listing, MappingProfile, ProductSnapshot, SchemaCache, VariantSnapshot
from mapping.marketplaces import MARKETPLACES
from mapping.profiles import RuleSchema
from web.api.mapping_form import build_form, requirements_now
from web.api.products import enabled_marketplaces, fresh_plan
from web.api.registry import conflict, not_found, operation
from web.problem_text import localized_all


class SourceSchema(RuleSchema):
    """Where one attribute's value comes from (the mapper's rule), checked for completeness."""

    @validates_schema
    def _complete(self, data, **kwargs):
        if data["source"] == "constant" and data.get("value") in (None, ""):
            raise SchemaError("a constant needs a value", "value")
        if data["source"] in ("field", "option", "metafield") and not data.get("key"):
            raise SchemaError(f"a {data['source']} source names what to read", "key")
        if data["source"] == "template" and not data.get("template"):
            raise SchemaError("a template source needs its template", "template")


class ProfileInSchema(Schema):
    product_type = fields.Str(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{1,100}$"))
    attributes = fields.Dict(
        keys=fields.Str(), values=fields.Nested(SourceSchema), load_default=dict
    )
    overrides = fields.Dict(
        keys=fields.Str(),
        values=fields.Dict(keys=fields.Str(), values=fields.Nested(SourceSchema)),
        load_default=dict,
        metadata={"description": "marketplace id -> attribute -> source"},
    )


class ProfileSchema(ProfileInSchema):
    id = fields.Int()
    updated_at = fields.DateTime()
    product_count = fields.Int()


class ProductTypeSchema(Schema):
    name = fields.Str()
    display_name = fields.Str()
    marketplace_ids = fields.List(fields.Str())
    score = fields.Int()
    suggested = fields.Bool()
    has_profile = fields.Bool()


class TypeQuerySchema(Schema):
    product_id = fields.Int(load_default=None)


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


class SampleSchema(Schema):
    product_id = fields.Int()
    title = fields.Str()
    marketplace_id = fields.Str()
    plan = fields.List(fields.Dict(), allow_none=True)
    problems = fields.List(fields.Raw())
    status = fields.Str()


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}


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
    "/product-types",
    summary="Known product types, best match for a product first",
    tag="mapping",
    query=TypeQuerySchema,
    response=ProductTypeSchema,
    many=True,
)
def list_product_types(query: dict):
    product = None
    if query["product_id"]:
        product = (
            db.session.query(ProductSnapshot)
            .filter_by(id=query["product_id"], shop_id=g.shop_id)
            .one_or_none()
        )
    data = (product.data or {}) if product else {}
    words = _words(
        " ".join(
            [
                product.title if product else "",
                data.get("category") or "",
                " ".join(data.get("tags") or []),
            ]
        )
    )
    profiles = {
        p for (p,) in db.session.query(MappingProfile.product_type).filter_by(shop_id=g.shop_id)
    }
    types: dict[str, dict] = {}
    for row in db.session.query(SchemaCache).order_by(SchemaCache.product_type):
        entry = types.setdefault(
            row.product_type,
            {
                "name": row.product_type,
                "marketplace_ids": [],
                "has_profile": False,
                "display_name": (row.envelope or {}).get("displayName") or row.product_type,
            },
        )
        entry["marketplace_ids"].append(row.marketplace_id)
        entry["has_profile"] = row.product_type in profiles
    # Types the shop already uses count as known even before their schema is fetched.
    used = {
        t
        for (t,) in db.session.query(ProductSnapshot.product_type)
        .filter(ProductSnapshot.shop_id == g.shop_id, ProductSnapshot.product_type.is_not(None))
        .distinct()
    }
    for name in (used | profiles) - set(types):
        types[name] = {
            "name": name,
            "marketplace_ids": [],
            "display_name": name,
            "has_profile": name in profiles,
        }
    for entry in types.values():
        names = _words(entry["name"].replace("_", " ") + " " + entry["display_name"])
        singular = {w.rstrip("s") for w in words}
        entry["score"] = len(names & words) + len({n.rstrip("s") for n in names} & singular)
    ranked = sorted(types.values(), key=lambda t: (-t["score"], t["name"]))
    for i, entry in enumerate(ranked):
        entry["suggested"] = i == 0 and entry["score"] > 0
    return ranked


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


def _clean_rule(rule: dict) -> dict:
    """A rule as the seller set it: without the loader's empty defaults."""
    clean = {k: v for k, v in rule.items() if v is not None}
    if clean.get("source") != "image":
        clean.pop("index", None)
    if isinstance(clean.get("fallback"), dict):
        clean["fallback"] = _clean_rule(clean["fallback"])
    return clean


def clean_profile(body: dict) -> dict:
    return {
        "product_type": body["product_type"],
        "attributes": {k: _clean_rule(v) for k, v in body["attributes"].items()},
        "overrides": {
            m: {k: _clean_rule(v) for k, v in rules.items()}
            for m, rules in body["overrides"].items()
        },
    }


def profile_view(profile: MappingProfile) -> dict:
    count = (
        db.session.query(ProductSnapshot)
        .filter_by(shop_id=g.shop_id, product_type=profile.product_type)
        .count()
    )
    return {
        "id": profile.id,
        "product_type": profile.product_type,
        "attributes": profile.attributes or {},
        "overrides": profile.overrides or {},
        "updated_at": profile.updated_at,
        "product_count": count,
    }


def _profile(profile_id: int) -> MappingProfile | None:
    return (
        db.session.query(MappingProfile).filter_by(id=profile_id, shop_id=g.shop_id).one_or_none()
    )


@operation(
    "/mappings",
    summary="Mapping profiles of the shop",
    tag="mapping",
    response=ProfileSchema,
    many=True,
)
def list_mappings():
    return [
        profile_view(p)
        for p in db.session.query(MappingProfile)
        .filter_by(shop_id=g.shop_id)
        .order_by(MappingProfile.product_type)
    ]


@operation(
    "/mappings",
    "POST",
    summary="Create a mapping profile",
    tag="mapping",
    min_role="editor",
    body=ProfileInSchema,
    response=ProfileSchema,
    status=201,
)
def create_mapping(body: dict):
    exists = (
        db.session.query(MappingProfile)
        .filter_by(shop_id=g.shop_id, product_type=body["product_type"])
        .first()
    )
    if exists is not None:
        return conflict("exists", "this product type already has a mapping")
    profile = MappingProfile(shop_id=g.shop_id, **clean_profile(body))
    db.session.add(profile)
    db.session.commit()
    return profile_view(profile)


@operation(
    "/mappings/<int:profile_id>",
    summary="One mapping profile",
    tag="mapping",
    response=ProfileSchema,
)
def get_mapping(profile_id: int):
    profile = _profile(profile_id)
    return profile_view(profile) if profile else not_found("no such mapping")


@operation(
    "/mappings/<int:profile_id>",
    "PUT",
    summary="Replace a mapping profile",
    tag="mapping",
    min_role="editor",
    body=ProfileInSchema,
    response=ProfileSchema,
)
def update_mapping(profile_id: int, body: dict):
    profile = _profile(profile_id)
    if profile is None:
        return not_found("no such mapping")
    body = clean_profile(body)
    profile.product_type = body["product_type"]
    profile.attributes = body["attributes"]
    profile.overrides = body["overrides"]
    db.session.commit()
    return profile_view(profile)


@operation(
    "/mappings/<int:profile_id>",
    "DELETE",
    summary="Delete a mapping profile",
    tag="mapping",
    min_role="editor",
    status=204,
)
def delete_mapping(profile_id: int):
    profile = _profile(profile_id)
    if profile is None:
        return not_found("no such mapping")
    db.session.delete(profile)
    db.session.commit()
    return "", 204


@operation(
    "/mappings/<int:profile_id>/samples",
    tag="mapping",
    query=FormQuerySchema,
    response=SampleSchema,
    many=True,
    summary="Live validation of a few products of the mapping's product type",
)
def mapping_samples(profile_id: int, query: dict):
    profile = _profile(profile_id)
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
