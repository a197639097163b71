"""Shopify product nodes (paged or from bulk JSONL) to canonical product dicts."""

from __future__ import annotations

import json

WEIGHT_UNITS = {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}
DEFAULT_OPTION = ("Title", "Default Title")
# Shopify has no dimensions field; sellers keep them in this variant (or product) metafield,
# JSON {"length": 20, "width": 10, "height": 5, "unit": "cm"}.
DIMENSIONS_METAFIELD = "custom.dimensions"
TRANSLATED_KEYS = {"title": "title", "body_html": "description_html"}


def _nodes(conn) -> list:
    if not conn:
        return []
    if "nodes" in conn:
        return conn["nodes"] or []
    return [edge["node"] for edge in conn.get("edges") or []]


def media_urls(conn) -> list[str]:
    """The image URLs of a `media` connection (MediaImage { image { url } }; a video or 3D
    model selects nothing and is skipped)."""
    return [
        (m.get("image") or {}).get("url") for m in _nodes(conn) if (m.get("image") or {}).get("url")
    ]


def metafield_value(mf: dict):
    kind, raw = mf.get("type", ""), mf.get("value")
    try:
        if kind == "number_integer":
            return int(raw)
        if kind == "number_decimal":
            return float(raw)
        if kind == "boolean":
            return str(raw).lower() == "true"
    except (TypeError, ValueError):
        pass
    return raw


def metafields(conn) -> dict:
    return {f"{mf['namespace']}.{mf['key']}": metafield_value(mf) for mf in _nodes(conn)}


def _dimensions(*sources: dict) -> dict | None:
    for fields in sources:
        raw = fields.get(DIMENSIONS_METAFIELD)
        if raw is None:
            continue
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
            return {
                "length": float(value["length"]),
                "width": float(value["width"]),
                "height": float(value["height"]),
                "unit": value.get("unit", "cm"),
            }
        except (ValueError, KeyError, TypeError):
            return None
    return None


def online_quantity(variant: dict) -> int | None:
    """Available stock over the locations that fulfil online orders, if levels were read."""
    item = variant.get("inventoryItem") or {}
    levels = _nodes(item.get("inventoryLevels"))
    if not levels:
        return None
    total = 0
    for level in levels:
        if (level.get("location") or {}).get("fulfillsOnlineOrders", True):
            total += sum(
                q["quantity"] for q in level.get("quantities") or [] if q["name"] == "available"
            )
    return total


def variant_to_canonical(
    v: dict, currency: str, product_fields: dict, stock: dict[str, int] | None = None
) -> dict:
    item = v.get("inventoryItem") or {}
    weight = ((item.get("measurement") or {}).get("weight")) or None
    fields = metafields(v.get("metafields"))
    quantity = online_quantity(v)
    if stock is not None and item.get("id") in stock:
        quantity = stock[item["id"]]
    if quantity is None:
        quantity = int(v.get("inventoryQuantity") or 0)
    return {
        "id": v["id"],
        "sku": v.get("sku") or "",
        "barcode": v.get("barcode") or None,
        "price": v["price"],
        "compare_at_price": v.get("compareAtPrice") or None,
        "currency": currency,
        "quantity": max(0, int(quantity)),
        "inventory_item_id": item.get("id"),
        "weight": {"value": float(weight["value"]), "unit": WEIGHT_UNITS[weight["unit"]]}
        if weight and weight.get("unit") in WEIGHT_UNITS and weight.get("value")
        else None,
        "dimensions": _dimensions(fields, product_fields),
        "options": {
            o["name"]: o["value"]
            for o in v.get("selectedOptions") or []
            if (o["name"], o["value"]) != DEFAULT_OPTION
        },
        "image": next(iter(media_urls(v.get("media"))), None),
        "metafields": fields,
    }


def to_canonical(
    node: dict,
    variants: list[dict],
    *,
    currency: str,
    translations: dict[str, list[dict]] | None = None,
    stock: dict[str, int] | None = None,
) -> dict:
    """One product in the canonical shape of mapping/canonical.py."""
    fields = metafields(node.get("metafields"))
    texts: dict[str, dict] = {}
    for locale, rows in (translations or {}).items():
        picked = {
            TRANSLATED_KEYS[r["key"]]: r["value"]
            for r in rows
            if r.get("key") in TRANSLATED_KEYS and r.get("value")
        }
        if picked:
            texts[locale] = picked
    return {
        "id": node["id"],
        "title": node["title"],
        "description_html": node.get("descriptionHtml") or "",
        "brand": node.get("vendor") or None,
        "category": node.get("productType") or None,
        "tags": list(node.get("tags") or []),
        "status": str(node.get("status", "ACTIVE")).lower()
        if str(node.get("status", "")).upper() in ("ACTIVE", "DRAFT", "ARCHIVED")
        else "draft",
        "updated_at": node["updatedAt"],
        "options": [
            {"name": o["name"], "values": list(o["values"])}
            for o in node.get("options") or []
            if (o["name"], tuple(o["values"])) != (DEFAULT_OPTION[0], (DEFAULT_OPTION[1],))
        ],
        "images": media_urls(node.get("media")),
        "metafields": fields,
        "translations": texts,
        "variants": [variant_to_canonical(v, currency, fields, stock) for v in variants],
    }
