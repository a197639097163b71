"""Catalogues for the demo and the tests: a varied demo store and N plain products for benches."""

from __future__ import annotations

import random

from sandbox.shopify.changes import Changes
from sandbox.shopify.state import ShopState

IMG = "https://cdn.shopify.com/s/files/1/0000/0001/products/{}.jpg"
TRANSLATIONS = {
    "de": ("{} (Deutsch)", "<p>Hochwertiges Produkt aus unserer Werkstatt.</p>"),
    "fr": ("{} (Français)", "<p>Produit de qualité issu de notre atelier.</p>"),
    "ja": ("{}（日本語）", "<p>私たちの工房の高品質な製品です。</p>"),
}
KINDS = [
    ("Linen Shirt", "Shirts", True),
    ("Canvas Tote", "Bags", False),
    ("Merino Beanie", "Hats", True),
    ("Ceramic Mug", "Kitchen", False),
    ("Trail Sock", "Socks", True),
    ("Leather Wallet", "Accessories", False),
    ("Desk Lamp", "Lighting", False),
    ("Rain Jacket", "Outerwear", True),
]


def demo_products(count: int = 36, seed: int = 7) -> list[dict]:
    """A few dozen products: some with Size/Color variants, some translated, one incomplete."""
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        name, kind, sized = KINDS[n % len(KINDS)]
        title = f"{name} {n + 1:02d}"
        sku_base = f"DEMO-{n + 1:03d}"
        spec = {
            "title": title,
            "description_html": f"<p>{title}: made to last, easy to care for.</p>",
            "vendor": "Crossport Demo Co",
            "product_type": kind,
            "tags": ["demo", kind.lower()],
            "images": [IMG.format(sku_base.lower())],
            "metafields": [
                {
                    "namespace": "custom",
                    "key": "material",
                    "value": rng.choice(["cotton", "linen", "wool", "steel"]),
                }
            ],
        }
        price = f"{rng.randint(8, 90)}.{rng.choice(['00', '50', '90', '95'])}"
        weight = {"value": round(rng.uniform(0.1, 2.0), 2), "unit": "KILOGRAMS"}
        if sized:
            sizes, colors = ["S", "M", "L"], ["Red", "Blue"]
            spec["options"] = [
                {"name": "Size", "values": sizes},
                {"name": "Color", "values": colors},
            ]
            spec["variants"] = [
                {
                    "sku": f"{sku_base}-{s}-{c[0]}",
                    "barcode": f"0{rng.randint(10**11, 10**12 - 1)}",
                    "price": price,
                    "options": {"Size": s, "Color": c},
                    "weight": weight,
                    "stock": {0: rng.randint(0, 40), 1: rng.randint(0, 5)},
                }
                for s in sizes
                for c in colors
            ]
        else:
            spec["variants"] = [
                {
                    "sku": sku_base,
                    "barcode": f"0{rng.randint(10**11, 10**12 - 1)}",
                    "price": price,
                    "weight": weight,
                    "compare_at_price": f"{int(price.split('.')[0]) + 10}.00",
                    "stock": {0: rng.randint(0, 60), 1: rng.randint(0, 5)},
                }
            ]
        if n % 3 == 0:
            spec["translations"] = {
                lang: {"title": t.format(title), "body_html": body}
                for lang, (t, body) in TRANSLATIONS.items()
            }
        specs.append(spec)
    # One product Amazon would refuse as is: no barcode, no brand, no image, no weight.
    specs.append(
        {
            "title": "Mystery Gadget",
            "description_html": "",
            "vendor": "",
            "product_type": "",
            "tags": ["demo"],
            "variants": [{"sku": "DEMO-INCOMPLETE", "price": "19.00", "stock": {0: 5}}],
        }
    )
    return specs


def generated_products(count: int, prefix: str = "GEN") -> list[dict]:
    """`count` simple products with predictable SKUs (PREFIX-000001...), for tests and benches."""
    return [
        {
            "title": f"Generated product {i}",
            "description_html": f"<p>Item {i}</p>",
            "vendor": "Bench",
            "product_type": "Bench",
            "variants": [
                {
                    "sku": f"{prefix}-{i:06d}",
                    "barcode": f"{i:012d}",
                    "price": f"{10 + i % 50}.00",
                    "stock": {0: i % 25},
                    "weight": {"value": 0.5, "unit": "KILOGRAMS"},
                }
            ],
        }
        for i in range(1, count + 1)
    ]


def seed_shop(changes: Changes, shop: ShopState, specs: list[dict]) -> list[dict]:
    """Add products without announcing them (a store that existed before the app)."""
    with changes.state.lock:
        return [changes.add_product(shop, spec, announce=False) for spec in specs]
