"""Demo catalogue for the emulated store: simple and variable products, some with translations.

Translations are stored the way Crossport reads them from a real store: a product meta
`_crossport_translations` holding a JSON object {lang: {"title": ..., "description_html": ...}}
(written by the Crossport plugin's editor or by hand; WPML/Polylang keep translations as separate
posts, which WooCommerce's REST API does not link, so Crossport does not depend on them).
The brand is a visible product attribute named "Brand".
"""

from __future__ import annotations

import json

from sandbox.woocommerce import catalog
from sandbox.woocommerce.state import StoreState

SIMPLE = [
    ("Enamel Camping Mug", "Kitchen", "14.90", "0.35"),
    ("Beeswax Food Wraps (3 pack)", "Kitchen", "18.00", "0.12"),
    ("Cast Iron Skillet 26cm", "Kitchen", "39.00", "2.60"),
    ("Linen Tea Towel", "Kitchen", "9.50", "0.08"),
    ("Bamboo Cutting Board", "Kitchen", "24.00", "0.90"),
    ("Stoneware Pour-over Dripper", "Kitchen", "29.00", "0.45"),
    ("Merino Wool Beanie", "Accessories", "27.00", "0.10"),
    ("Leather Card Holder", "Accessories", "35.00", "0.05"),
    ("Canvas Tote Bag", "Accessories", "19.90", "0.25"),
    ("Waxed Cotton Cap", "Accessories", "31.00", "0.14"),
    ("Brass Key Ring", "Accessories", "12.00", "0.04"),
    ("Recycled Notebook A5", "Stationery", "8.90", "0.30"),
    ("Fountain Pen", "Stationery", "49.00", "0.06"),
    ("Ink Bottle Blue-Black 50ml", "Stationery", "11.50", "0.15"),
    ("Desk Organiser Oak", "Stationery", "44.00", "1.10"),
    ("Soy Candle Fig", "Home", "22.00", "0.40"),
    ("Wool Throw Blanket", "Home", "89.00", "1.30"),
    ("Ceramic Planter Small", "Home", "16.00", "0.70"),
    ("Linen Cushion Cover", "Home", "26.00", "0.20"),
    ("Hand-poured Soap Bar", "Bath", "7.50", "0.11"),
    ("Cotton Bath Towel", "Bath", "34.00", "0.60"),
    ("Wooden Hair Brush", "Bath", "18.50", "0.12"),
    ("Travel Toiletry Bag", "Bath", "29.50", "0.28"),
    ("Natural Loofah Sponge", "Bath", "5.90", "0.03"),
]
VARIABLE = [
    ("Organic Cotton T-Shirt", "Clothing", "24.00"),
    ("Heavyweight Hoodie", "Clothing", "59.00"),
    ("Chino Trousers", "Clothing", "69.00"),
    ("Rain Jacket", "Clothing", "119.00"),
    ("Wool Socks", "Clothing", "14.00"),
    ("Linen Shirt", "Clothing", "54.00"),
]
SIZES = ["S", "M", "L"]
COLOURS = ["Red", "Blue"]
DE = {"Mug": "Becher", "Shirt": "Hemd", "T-Shirt": "T-Shirt", "Hoodie": "Kapuzenpullover"}


def _translations(name: str) -> str:
    german = " ".join(DE.get(word, word) for word in name.split())
    return json.dumps(
        {
            "de": {
                "title": german,
                "description_html": f"<p>{german}: sorgfältig hergestellt.</p>",
            },
            "fr": {"title": name, "description_html": f"<p>{name} : fabriqué avec soin.</p>"},
        }
    )


def _image(slug: str, state: StoreState) -> list[dict]:
    return [{"src": f"{state.base()}/wp-content/uploads/{slug}.jpg"}]


def seed_demo(state: StoreState, count: int | None = None) -> dict:
    """Fill the store with the demo catalogue (no webhooks fire: it is the store's past).

    `count` products in all when given (at least the 30 of the base catalogue): the base lines
    repeat with a running number, one in five a variable product with size and colour.
    """
    created = {"products": 0, "variations": 0}
    with state.lock:
        for n, line in enumerate(SIMPLE):
            _simple(state, n, *line)
            created["products"] += 1
        for n, line in enumerate(VARIABLE):
            created["variations"] += _variable(state, n, *line)
            created["products"] += 1
        extra = max(0, (count or 0) - created["products"])
        for k in range(extra):
            if k % 5 == 4:
                name, category, price = VARIABLE[k % len(VARIABLE)]
                created["variations"] += _variable(
                    state, len(VARIABLE) + k, f"{name} No. {k + 1}", category, price
                )
            else:
                name, category, price, weight = SIMPLE[k % len(SIMPLE)]
                _simple(state, len(SIMPLE) + k, f"{name} No. {k + 1}", category, price, weight)
            created["products"] += 1
    return created


def _simple(state: StoreState, n: int, name: str, category: str, price: str, weight: str) -> None:
    slug = "-".join(name.lower().split())
    meta = [{"key": "_crossport_translations", "value": _translations(name)}] if n % 3 == 0 else []
    catalog.create_product(
        state,
        {
            "name": name,
            "type": "simple",
            "sku": f"CP-{n + 1:03d}",
            "regular_price": price,
            "sale_price": "" if n % 5 else f"{float(price) * 0.9:.2f}",
            "description": f"<p>{name}, made to last.</p>",
            "short_description": name,
            "manage_stock": True,
            "stock_quantity": 5 + (n * 7) % 40,
            "weight": weight,
            "dimensions": {"length": "20", "width": "15", "height": str(5 + n % 10)},
            "categories": [{"id": 10 + len(category), "name": category, "slug": category.lower()}],
            "images": _image(slug, state),
            "attributes": [{"name": "Brand", "options": ["Fieldhouse"], "visible": True}],
            "meta_data": meta,
        },
    )


def _variable(state: StoreState, n: int, name: str, category: str, price: str) -> int:
    """A variable product with a variation per size and colour; returns the variations made."""
    slug = "-".join(name.lower().split())
    base = f"CPV-{n + 1:02d}"
    product = catalog.create_product(
        state,
        {
            "name": name,
            "type": "variable",
            "description": f"<p>{name}.</p>",
            "categories": [{"id": 30, "name": category, "slug": category.lower()}],
            "images": _image(slug, state),
            "attributes": [
                {"name": "Brand", "options": ["Fieldhouse"], "visible": True},
                {"name": "Size", "options": SIZES, "variation": True, "visible": True},
                {"name": "Colour", "options": COLOURS, "variation": True, "visible": True},
            ],
            "meta_data": [{"key": "_crossport_translations", "value": _translations(name)}],
        },
    )
    for size in SIZES:
        for colour in COLOURS:
            catalog.create_variation(
                state,
                product["id"],
                {
                    "sku": f"{base}-{size}-{colour[0]}",
                    "regular_price": price,
                    "manage_stock": True,
                    "stock_quantity": 3 + len(size + colour) % 6,
                    "weight": "0.4",
                    "dimensions": {"length": "30", "width": "25", "height": "3"},
                    "image": {"src": f"{state.base()}/wp-content/uploads/{slug}-{colour}.jpg"},
                    "attributes": [
                        {"name": "Size", "option": size},
                        {"name": "Colour", "option": colour},
                    ],
                },
            )
    return len(SIZES) * len(COLOURS)
