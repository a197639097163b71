"""Known product types for a mapping, the best match for a product first (the suggestion)."""

from __future__ import annotations

import re

from flask import g
from marshmallow import Schema, fields

from core.db import db
from core.models import MappingProfile, ProductSnapshot, SchemaCache
from web.api.registry import operation


class ProductTypeSchema(Schema):
    name = fields.Str()
    display_name = fields.Str()
    marketplace_ids = fields.List(fields.Str())
    score = fields.Int()
    suggested = fields.Bool()
    has_profile = fields.Bool()


class TypeQuerySchema(Schema):
    product_id = fields.Int(load_default=None)


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}


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
