"""Sample canonical products and profiles that complete a schema, for the listing tests."""

from __future__ import annotations

import copy

from mapping.examples import example_payload
from mapping.listing import build_listing
from mapping.profiles import MappingProfile

VASE = {
    "id": "1001",
    "title": "Handmade ceramic vase with blue glaze for the living room",
    "brand": "Kiln & Co",
    "description_html": "<p>A vase.</p><ul><li>Handmade</li><li>Blue glaze</li></ul>",
    "category": "vase",
    "tags": ["vase", "ceramic"],
    "images": ["https://cdn.example.com/vase.jpg"],
    "metafields": {
        "amazon.country_of_origin": "PT",
        "amazon.dg_hz_regulation": "not_applicable",
        "amazon.batteries_required": False,
        "amazon.color": "Blue",
    },
    "translations": {
        "de": {
            "title": "Handgefertigte Keramikvase „Ozean“ – Ø 20 cm, blaue Glasur",
            "description_html": "<p>Eine Vase.</p><ul><li>Handgemacht in Portugal</li></ul>",
        },
        "ja": {
            "title": "手作りの陶器の花瓶「オーシャン」青い釉薬・直径２０ｃｍ",
            "description_html": "<ul><li>ポルトガルで手作り</li></ul>",
        },
    },
    "variants": [
        {
            "id": "v1",
            "sku": "VASE-1",
            "barcode": "4006381333931",
            "price": "29.90",
            "compare_at_price": "39.90",
            "currency": "USD",
            "quantity": 7,
            "weight": {"value": 1.2, "unit": "kg"},
            "dimensions": {"length": 20, "width": 20, "height": 30, "unit": "cm"},
            "options": {},
        }
    ],
}

COAT_PRODUCT = {
    "id": "2002",
    "title": "Wool coat",
    "brand": "Northwind",
    "category": "coat",
    "description_html": "<ul><li>Warm wool</li></ul>",
    "images": ["https://cdn.example.com/c.jpg"],
    "metafields": {
        "amazon.country_of_origin": "IT",
        "amazon.dg_hz_regulation": "not_applicable",
        "amazon.batteries_required": False,
    },
    "options": [
        {"name": "Size", "values": ["S", "M"]},
        {"name": "Color", "values": ["Red", "Blue"]},
    ],
    "variants": [
        {
            "id": f"c{i}",
            "sku": f"COAT-{size}-{color}",
            "barcode": None,
            "price": "120.00",
            "currency": "USD",
            "quantity": 3,
            "options": {"Size": size, "Color": color},
            "weight": {"value": 900, "unit": "g"},
        }
        for i, (size, color) in enumerate(
            [("S", "Red"), ("S", "Blue"), ("M", "Red"), ("M", "Blue")]
        )
    ],
}


def _strip(entries: list) -> list:
    return [
        {k: v for k, v in e.items() if k not in ("marketplace_id", "language_tag")}
        if isinstance(e, dict)
        else e
        for e in entries
    ]


def completing_profile(
    product: dict, schema, rates, base: dict | None = None, rounds: int = 3
) -> MappingProfile:
    """A profile that adds, as constants, whatever the schema still misses for this product.

    The seller's clicks, automated: each missing attribute gets the example payload's value.
    """
    data = copy.deepcopy(base or {"product_type": schema.product_type})
    data.setdefault("attributes", {})
    for _ in range(rounds):
        profile = MappingProfile.load(data)
        plan = build_listing(
            product, product["variants"][0], profile, schema.marketplace_id, schema, rates
        )
        missing = [p.attribute for p in plan.problems if p.code == "missing"]
        if not missing:
            return profile
        attributes = plan.payload.get("attributes", {})
        example = example_payload(
            schema.schema, validator=schema.validator, base=attributes, is_valid=schema.check
        )
        for attribute in missing:
            if attribute in example:
                data["attributes"][attribute] = {
                    "source": "constant",
                    "value": _strip(example[attribute]),
                }
    return MappingProfile.load(data)
