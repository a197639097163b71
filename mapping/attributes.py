"""Attribute mapping: from a canonical product and variant, through a profile, to Amazon's shape.

Amazon wants every attribute as an array of objects, most carrying `marketplace_id` and, for
texts, `language_tag`; the exact keys come from the product-type schema, so this module reads the
schema instead of hard-coding shapes: an unseen product type maps the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from mapping.marketplaces import Marketplace
from mapping.problems import WARNING, Problem
from mapping.schema_validation import ProductTypeSchema
from mapping.texts import Texts
from mapping.units import convert, pick_unit, preferred_units

_TOKEN = re.compile(r"\{([^{}]+)\}")


def _lookup(data: dict, dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _names(key: Any) -> list[str]:
    return [str(k) for k in key] if isinstance(key, list) else [str(key)] if key else []


def _option(variant: dict, key: Any) -> Any:
    options = variant.get("options") or {}
    lowered = {str(k).lower(): v for k, v in options.items()}
    for name in _names(key):
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _metafield(product: dict, variant: dict, key: Any) -> Any:
    for name in _names(key):
        for owner in (variant, product):
            found = (owner.get("metafields") or {}).get(name)
            if found not in (None, ""):
                return found
    return None


def _field(product: dict, variant: dict, key: Any) -> Any:
    for name in _names(key):
        for owner in (variant, product):
            found = _lookup(owner, name)
            if found not in (None, "", []):
                return found
    return None


def _template(rule: dict, product: dict, variant: dict, texts: Texts) -> str | None:
    def fill(match: re.Match) -> str:
        name = match.group(1).strip()
        if name.startswith("option."):
            found = _option(variant, name[7:])
        elif name.startswith("metafield."):
            found = _metafield(product, variant, name[10:])
        elif name in ("title", "description"):
            found = getattr(texts, name)
        else:
            found = _field(product, variant, name)
        return "" if found is None else str(found)

    text = _TOKEN.sub(fill, rule.get("template") or "")
    return re.sub(r"\s{2,}", " ", text).strip() or None


def resolve_source(rule: dict, product: dict, variant: dict, texts: Texts) -> Any:
    """The raw store value a rule points at, or None when the product has none."""
    source, key = rule.get("source"), rule.get("key")
    if source == "constant":
        value = rule.get("value")
    elif source == "field":
        value = _field(product, variant, key)
    elif source == "option":
        value = _option(variant, key)
    elif source == "metafield":
        value = _metafield(product, variant, key)
    elif source == "text":
        value = {
            "title": texts.title,
            "description": texts.description,
            "bullets": texts.bullets,
        }.get(str(key))
    elif source == "template":
        value = _template(rule, product, variant, texts)
    elif source == "image":
        images = [variant.get("image")] if variant.get("image") else []
        images += [i for i in product.get("images") or [] if i not in images]
        index = int(rule.get("index") or 0)
        value = images[index] if 0 <= index < len(images) else None
    elif source in ("convert", "identifier"):
        value = _field(product, variant, key)
    else:
        value = None
    if value in (None, "", []) and isinstance(rule.get("fallback"), dict):
        return resolve_source(rule["fallback"], product, variant, texts)
    mapping = rule.get("map")
    if mapping and isinstance(value, str | int | float | bool):
        value = mapping.get(str(value), value)
    elif mapping and isinstance(value, list):
        value = [mapping.get(str(v), v) if isinstance(v, str | int | float) else v for v in value]
    return value


def _item_schema(schema: ProductTypeSchema, attribute: str) -> dict:
    return (schema.properties.get(attribute) or {}).get("items") or {}


def _shape_info(schema: ProductTypeSchema, attribute: str) -> tuple:
    """(items schema, item properties, value key, value schema, maxUniqueItems), memoised."""
    memo = schema.memo.setdefault("shape", {})
    info = memo.get(attribute)
    if info is None:
        items = _item_schema(schema, attribute)
        props = items.get("properties") or {}
        key = next((k for k in ("value", "media_location", "name") if k in props), "value")
        most = (schema.properties.get(attribute) or {}).get("maxUniqueItems")
        info = memo[attribute] = (items, props, key, props.get(key) or {}, most)
    return info


def _enum(node: dict) -> tuple[list, list]:
    if node.get("enum"):
        return list(node["enum"]), list(node.get("enumNames") or [])
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        if isinstance(branch, dict) and branch.get("enum") and "type" in node:
            return [], []  # an open list: any string is allowed, the enum only suggests
    return [], []


def coerce(value: Any, node: dict) -> Any:
    """A store value as the schema's type: numbers from strings, enum values by name."""
    kind = node.get("type")
    if kind in ("number", "integer"):
        number = Decimal(str(value).strip().replace(",", "."))
        return int(number) if kind == "integer" else float(number)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "ja", "oui", "y"):
            return True
        if text in ("false", "no", "0", "nein", "non", "n"):
            return False
        raise ValueError(f"{value!r} is not yes or no")
    text = value if isinstance(value, str) else str(value)
    allowed, names = _enum(node)
    if allowed and text not in allowed:
        folded = text.strip().lower()
        for index, option in enumerate(allowed):
            label = names[index] if index < len(names) else ""
            if folded in (str(option).lower(), str(label).lower()):
                return option
    return text


def _measure(raw: Any, items: dict, market: Marketplace, rule: dict) -> dict | None:
    if not isinstance(raw, dict) or "unit" not in raw:
        return None
    props = items.get("properties") or {}
    weight_unit, length_unit = preferred_units(market.country)
    if "length" in raw:  # dimensions: three measures
        result = {}
        for side in ("length", "width", "height"):
            node = props.get(side) or {}
            allowed = ((node.get("properties") or {}).get("unit") or {}).get("enum") or []
            unit = pick_unit(rule.get("unit") or length_unit, allowed)
            result[side] = {"value": convert(raw[side], raw["unit"], unit), "unit": unit}
        return result
    allowed = (props.get("unit") or {}).get("enum") or []
    unit = pick_unit(rule.get("unit") or weight_unit, allowed)
    return {"value": convert(raw["value"], raw["unit"], unit), "unit": unit}


def gtin_type(code: str, allowed: list[str]) -> str | None:
    """ "upc", "ean" or "gtin" for a valid GTIN-8/12/13/14 (check digit verified), else None."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return None
    digits = [int(c) for c in code]
    total = sum(d * (1 if i % 2 else 3) for i, d in enumerate(reversed(digits[:-1])))
    if (10 - total % 10) % 10 != digits[-1]:
        return None
    preferred = {12: "upc", 13: "ean", 8: "ean", 14: "gtin"}[len(code)]
    if not allowed or preferred in allowed:
        return preferred
    return "gtin" if "gtin" in allowed else allowed[0]


def shape(
    attribute: str,
    raw: Any,
    schema: ProductTypeSchema,
    market: Marketplace,
    rule: dict | None = None,
) -> list[dict]:
    """Amazon's array-of-objects form of one attribute; raises ValueError when it cannot."""
    rule = rule or {}
    items, props, key, node, most = _shape_info(schema, attribute)
    if rule.get("source") == "convert":
        measured = _measure(raw, items, market, rule)
        if measured is None:
            raise ValueError(f"{raw!r} is not a measurement with a unit")
        entries = [measured]
    elif rule.get("source") == "identifier":
        code = re.sub(r"[\s-]", "", str(raw))
        kind = gtin_type(code, ((props.get("type") or {}).get("enum")) or [])
        if kind is None:
            raise ValueError(f"{raw!r} is not a valid GTIN (UPC, EAN or JAN): check digit")
        entries = [{"type": kind, "value": code}]
    else:
        values = raw if isinstance(raw, list) else [raw]
        if most == 1 and len(values) > 1 and all(isinstance(v, str) for v in values):
            values = [" ".join(values)]  # search terms and the like: one space-separated value
        elif most and len(values) > most:
            values = values[:most]
        # A dict is an entry the seller (or a value map) already shaped, e.g. apparel_size.
        entries = [
            dict(v) if isinstance(v, dict) else {key: coerce(v, node)}
            for v in values
            if v not in (None, "")
        ]
    tag = schema.language_tag or market.language_tag
    for entry in entries:
        if "marketplace_id" in props:
            entry.setdefault("marketplace_id", market.id)
        if "language_tag" in props:
            entry.setdefault("language_tag", tag)
    return entries


def map_attributes(
    product: dict,
    variant: dict,
    rules: dict[str, dict],
    market: Marketplace,
    schema: ProductTypeSchema,
    texts: Texts,
) -> tuple[dict, list[Problem]]:
    """Attributes for one variant in one marketplace, and the values that could not be mapped.

    Only attributes the product type knows are produced; a rule whose source is empty for this
    product produces nothing (the validator then names what is missing).
    """
    attributes: dict[str, list[dict]] = {}
    problems: list[Problem] = []
    for attribute, rule in rules.items():
        if attribute not in schema.properties or not isinstance(rule, dict):
            continue
        try:
            raw = resolve_source(rule, product, variant, texts)
            if raw in (None, "", []):
                continue
            entries = shape(attribute, raw, schema, market, rule)
        except (ValueError, TypeError, KeyError, InvalidOperation, ArithmeticError) as exc:
            problems.append(
                Problem(
                    attribute,
                    market.id,
                    "unmappable",
                    f"{attribute} for {market.site}: {exc}",
                    f"Correct the store value or change the rule for {attribute}.",
                    severity=WARNING if attribute not in schema.required else "error",
                    path=attribute,
                )
            )
            continue
        if entries:
            attributes[attribute] = entries
    return attributes, problems
