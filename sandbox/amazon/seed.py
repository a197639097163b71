"""The world the emulator starts with: a demo seller, a catalogue of known GTINs, gated brands."""

from __future__ import annotations

from .marketplaces import MARKETPLACES, REGIONS
from .state import State

DEMO_SELLER_ID = "A3CROSSPORTDEMO"

# GTIN -> catalogue item. These GTINs already have ASINs, so a listing that carries one matches
# the existing ASIN instead of creating a new product.
CATALOG: dict[str, dict] = {
    "4006381333931": {"asin": "B000CROSS1", "brand": "Stabilo", "title": "Highlighter, yellow",
                      "productType": "PRODUCT", "identifierType": "EAN"},
    "0885909950805": {"asin": "B000CROSS2", "brand": "Apple", "title": "Lightning cable 1 m",
                      "productType": "PRODUCT", "identifierType": "UPC"},
    "4901234567894": {"asin": "B000CROSS3", "brand": "Muji", "title": "Porcelain mug 350 ml",
                      "productType": "KITCHEN", "identifierType": "EAN"},
    "5012345678900": {"asin": "B000CROSS4", "brand": "Yankee Candle", "title": "Vanilla candle",
                      "productType": "CANDLE", "identifierType": "EAN"},
    "0012345678905": {"asin": "B000CROSS5", "brand": "Levi's", "title": "Classic tee, white",
                      "productType": "SHIRT", "identifierType": "UPC"},
}  # fmt: skip

# brand (lower case) -> countries whose marketplaces require approval to list it
GATED_BRANDS: dict[str, set[str]] = {
    "apple": {"US", "CA", "MX", "GB", "DE", "FR", "IT", "ES", "JP", "AU"},
    "levi's": {"DE", "FR", "IT", "ES", "NL", "SE", "PL", "GB"},
    "yankee candle": {"JP"},
}


def populate(state: State) -> None:
    """Add the demo seller, selling in every marketplace of every region."""
    state.add_seller(
        DEMO_SELLER_ID, "Crossport Demo Store", set(REGIONS), {m.id for m in MARKETPLACES}
    )
    for region in REGIONS:
        state.consent_seller[region] = DEMO_SELLER_ID


def catalog_by_asin(asin: str) -> dict | None:
    return next(({"gtin": g, **i} for g, i in CATALOG.items() if i["asin"] == asin), None)


def brand_gated(brand: str | None, country: str) -> bool:
    return bool(brand) and country in GATED_BRANDS.get(brand.strip().lower(), set())
