"""Mapping profiles of a shop: where each Amazon attribute of a product type takes its value."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from core.db import db
from core.models import MappingProfile, ProductSnapshot
from jobs.listing_sync import request_resync
from mapping.profiles import RuleSchema
from web.api.registry import conflict, not_found, operation


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


def find_profile(profile_id: int) -> MappingProfile | None:
    """The shop's mapping profile with this id; None for another shop's (or none)."""
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
    request_resync(g.shop_id, profile.product_type)  # listings built from the defaults until now
    return profile_view(profile)


@operation(
    "/mappings/<int:profile_id>",
    summary="One mapping profile",
    tag="mapping",
    response=ProfileSchema,
)
def get_mapping(profile_id: int):
    profile = find_profile(profile_id)
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
    profile = find_profile(profile_id)
    if profile is None:
        return not_found("no such mapping")
    body = clean_profile(body)
    before = (profile.product_type, profile.attributes, profile.overrides)
    profile.product_type = body["product_type"]
    profile.attributes = body["attributes"]
    profile.overrides = body["overrides"]
    db.session.commit()
    if before != (profile.product_type, profile.attributes, profile.overrides):
        # the live listings of the type (and of the type it had, if renamed) follow the edit
        for product_type in {before[0], profile.product_type}:
            request_resync(g.shop_id, product_type)
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
    profile = find_profile(profile_id)
    if profile is None:
        return not_found("no such mapping")
    product_type = profile.product_type
    db.session.delete(profile)
    db.session.commit()
    request_resync(g.shop_id, product_type)  # back to the defaults: some may now be held
    return "", 204
