"""Builds the demo product-type schemas (schemas/*.json) for one marketplace and locale.

The result has the shape of a real Amazon product-type schema: the Amazon meta-schema as
`$schema`, `$defs` for marketplace_id and language_tag, attributes as arrays of objects keyed by
selectors, `required`, and `allOf` if/then conditionals.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

from .marketplaces import Marketplace

META_SCHEMA_ID = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)
_DIR = Path(__file__).parent / "schemas"
_FC_CODES = {"NA": "AMAZON_NA", "EU": "AMAZON_EU", "FE": "AMAZON_JP"}
_LIST_PRICE_NOT_REQUIRED = {"US", "BR", "SG"}
_CHILD_ONLY = {"condition_type", "color", "size", "list_price", "purchasable_offer"}


@lru_cache(maxsize=1)
def _sources() -> tuple[dict, dict]:
    attributes = json.loads((_DIR / "attributes.json").read_text(encoding="utf-8"))
    types = json.loads((_DIR / "product_types.json").read_text(encoding="utf-8"))
    return attributes, types


def product_types() -> dict[str, dict]:
    """Demo product type name -> its description (displayName, keywords, ...)."""
    _, types = _sources()
    return {k: v for k, v in types.items() if k.isupper()}


def display_name(product_type: str, locale: str) -> str:
    names = product_types()[product_type]["displayName"]
    return names.get(locale.split("_")[0], names["en"])


def build(product_type: str, market: Marketplace, locale: str | None = None) -> dict:
    """The full schema of a demo product type in one marketplace (labels in `locale`)."""
    attributes, types = _sources()
    spec = types[product_type]
    locale = locale or market.language
    fc = _FC_CODES[market.region] if market.country != "AU" else "AMAZON_AU"
    fill = {
        "{{CURRENCY}}": market.currency,
        "{{FC_CODES}}": [fc, "DEFAULT"],
        "{{PRICE_STEP}}": 1 if market.currency == "JPY" else 0.01,  # JPY has no minor unit
    }
    labels = types["labels"].get(locale.split("_")[0], {})
    properties = {}
    for name in spec["properties"]:
        prop = _fill(copy.deepcopy(attributes[name]), fill)
        if name in labels:
            prop["title"] = labels[name]
        properties[name] = prop
    required = list(spec["required"])
    if market.country not in _LIST_PRICE_NOT_REQUIRED:
        required.append("list_price")
    if market.region == "EU" and market.country != "GB":
        required.append("gpsr_safety_attestation")
    conditionals = [
        c for c in types["conditionals"]
        if all(r in properties for r in c["then"]["required"])
    ]  # fmt: skip
    # A variation parent is not sold itself: it carries no offer, condition, colour or size.
    child_only = [r for r in required if r in _CHILD_ONLY]
    if child_only and "parentage_level" in properties:
        required = [r for r in required if r not in _CHILD_ONLY]
        conditionals.append(
            {
                "$comment": "Offer and variation facts are required of everything but a parent.",
                "if": {
                    "required": ["parentage_level"],
                    "properties": {
                        "parentage_level": {
                            "contains": {
                                "required": ["value"],
                                "properties": {"value": {"enum": ["parent"]}},
                            }
                        }
                    },
                },
                "else": {"required": child_only},
            }
        )
    return {
        "$schema": META_SCHEMA_ID,
        "$id": f"https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/{product_type}",
        "$comment": f"Amazon product type definition for {product_type} product type (demo)",
        "$defs": {
            "marketplace_id": _selector_def(market.id, market.name),
            "language_tag": _selector_def(market.language, market.language),
        },
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
        "allOf": conditionals,
    }


def _selector_def(value: str, label: str) -> dict:
    return {
        "default": value,
        "editable": False,
        "hidden": True,
        "examples": [label],
        "type": "string",
        "anyOf": [{"type": "string"}, {"type": "string", "enum": [value], "enumNames": [label]}],
    }


def _fill(node, fill: dict):
    if isinstance(node, dict):
        return {k: _fill(v, fill) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, fill) for v in node]
    if isinstance(node, str):
        if node in fill:
            return fill[node]
        for key, value in fill.items():
            if isinstance(value, str):
                node = node.replace(key, value)
    return node
