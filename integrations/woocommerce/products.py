"""WooCommerce product and variation payloads -> Crossport's canonical product dict (pure).

Conventions read from the store (document them to sellers):
- brand: WooCommerce Brands' `brands` field (9.6+), else a product attribute named "Brand".
- barcode: `global_unique_id` (GTIN/UPC/EAN/ISBN field of WooCommerce 9.2+).
- translations: product meta `_crossport_translations`, a JSON object
  {"de": {"title": ..., "description_html": ...}, ...} (a JSON string or an object).
- metafields: visible (non-underscore) product meta with scalar values, as "woocommerce.<key>".
- price is what the buyer pays now (the sale price while on sale); compare_at_price the regular
  price while on sale, else None.
- quantity: stock_quantity when stock is managed (a variation with manage_stock "parent" uses
  its parent's); untracked stock counts as `untracked_quantity` when in stock, else 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

STATUS = {
    "publish": "active",
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "future": "draft",
    "trash": "archived",
}
WEIGHT_UNITS = {
    "kg": ("kg", 1.0),
    "g": ("g", 1.0),
    "lbs": ("lb", 1.0),
    "lb": ("lb", 1.0),
    "oz": ("oz", 1.0),
}
DIMENSION_UNITS = {
    "cm": ("cm", 1.0),
    "mm": ("mm", 1.0),
    "in": ("in", 1.0),
    "m": ("cm", 100.0),
    "yd": ("in", 36.0),
}


@dataclass(frozen=True)
class StoreUnits:
    """The store-wide settings a product payload depends on."""

    currency: str = "USD"
    weight_unit: str = "kg"
    dimension_unit: str = "cm"
    untracked_quantity: int = 0


def _meta(item: dict, key: str):
    return next((m.get("value") for m in item.get("meta_data") or [] if m.get("key") == key), None)


def translations_of(product: dict) -> dict:
    raw = _meta(product, "_crossport_translations")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    result = {}
    for lang, texts in raw.items():
        if isinstance(texts, dict):
            result[str(lang)] = {
                "title": str(texts.get("title", "")),
                "description_html": str(texts.get("description_html", "")),
            }
    return result


def _metafields(product: dict) -> dict:
    fields = {}
    for meta in product.get("meta_data") or []:
        key, value = str(meta.get("key", "")), meta.get("value")
        if key and not key.startswith("_") and isinstance(value, str | int | float | bool):
            fields[f"woocommerce.{key}"] = value
    return fields


def _brand(product: dict) -> str | None:
    brands = product.get("brands") or []
    if brands and isinstance(brands[0], dict) and brands[0].get("name"):
        return str(brands[0]["name"])
    for attribute in product.get("attributes") or []:
        if str(attribute.get("name", "")).lower() == "brand" and attribute.get("options"):
            return str(attribute["options"][0])
    return None


def _weight(item: dict, parent: dict, units: StoreUnits) -> dict | None:
    raw = item.get("weight") or parent.get("weight")
    if not raw:
        return None
    unit, factor = WEIGHT_UNITS.get(units.weight_unit, ("kg", 1.0))
    return {"value": float(raw) * factor, "unit": unit}


def _dimensions(item: dict, parent: dict, units: StoreUnits) -> dict | None:
    dims = item.get("dimensions") or {}
    if not any(dims.get(k) for k in ("length", "width", "height")):
        dims = parent.get("dimensions") or {}
    if not all(dims.get(k) for k in ("length", "width", "height")):
        return None
    unit, factor = DIMENSION_UNITS.get(units.dimension_unit, ("cm", 1.0))
    return {
        "length": float(dims["length"]) * factor,
        "width": float(dims["width"]) * factor,
        "height": float(dims["height"]) * factor,
        "unit": unit,
    }


def quantity_of(item: dict, parent: dict | None, units: StoreUnits) -> int:
    """Available quantity of a product or variation, per the conventions above."""
    source = parent if item.get("manage_stock") == "parent" and parent else item
    if source.get("manage_stock") is True and source.get("stock_quantity") is not None:
        return max(0, int(source["stock_quantity"]))
    return units.untracked_quantity if item.get("stock_status") == "instock" else 0


def variation_parent(payload: dict) -> str | None:
    """The parent product's id when a product payload is a variation, else None. A real store
    delivers a variation's change as the variation itself and answers GET /products/{variation
    id} with it: {"id": 22, "type": "variation", "parent_id": 17, ...} (WooCommerce 11 captures,
    webhooks/scenario-variation-stock-rest.json)."""
    if payload.get("type") != "variation":
        return None
    parent = str(payload.get("parent_id") or "").strip()
    return parent if parent and parent != "0" else None


def _prices(item: dict) -> tuple[str, str | None]:
    regular, sale = item.get("regular_price") or "", item.get("sale_price") or ""
    if item.get("on_sale") and sale:
        return sale, regular or None
    return regular or item.get("price") or "0", None


def _variant(item: dict, parent: dict, units: StoreUnits, options: dict) -> dict:
    price, compare_at = _prices(item)
    image = item.get("image")
    return {
        "id": str(item["id"]),
        "sku": item.get("sku") or "",
        "barcode": item.get("global_unique_id") or None,
        "price": price,
        "compare_at_price": compare_at,
        "currency": units.currency,
        "quantity": quantity_of(item, parent, units),
        "inventory_item_id": None,
        "weight": _weight(item, parent, units),
        "dimensions": _dimensions(item, parent, units),
        "options": options,
        "image": image.get("src") if isinstance(image, dict) else None,
        "metafields": _metafields(item),
    }


def to_canonical(product: dict, variations: list[dict], units: StoreUnits) -> dict:
    """One WooCommerce product (with its variations when variable) as a canonical product."""
    variation_attributes = [a for a in product.get("attributes") or [] if a.get("variation")]
    if product.get("type") == "variable":
        variants = [
            _variant(
                v,
                product,
                units,
                {a.get("name", ""): a.get("option", "") for a in v.get("attributes") or []},
            )
            for v in variations
        ]
    else:
        variants = [_variant(product, {}, units, {})]
    modified = product.get("date_modified_gmt") or product.get("date_modified") or ""
    categories = product.get("categories") or []
    return {
        "id": str(product["id"]),
        "title": product.get("name", ""),
        "description_html": product.get("description") or product.get("short_description") or "",
        "brand": _brand(product),
        "category": categories[0].get("name") if categories else None,
        "tags": [t.get("name", "") for t in product.get("tags") or []],
        "status": STATUS.get(product.get("status", ""), "draft"),
        "updated_at": modified + "Z" if modified and not modified.endswith("Z") else modified,
        "options": [
            {"name": a.get("name", ""), "values": list(a.get("options") or [])}
            for a in variation_attributes
        ],
        "images": [i["src"] for i in product.get("images") or [] if i.get("src")],
        "metafields": _metafields(product),
        "translations": translations_of(product),
        "variants": variants,
    }
