"""Weights and lengths from store units to the units a product-type schema accepts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Store unit -> Amazon unit name, and the factor to grams or millimetres.
WEIGHT = {
    "g": ("grams", Decimal(1)),
    "kg": ("kilograms", Decimal(1000)),
    "lb": ("pounds", Decimal("453.59237")),
    "oz": ("ounces", Decimal("28.349523125")),
}
LENGTH = {
    "mm": ("millimeters", Decimal(1)),
    "cm": ("centimeters", Decimal(10)),
    "in": ("inches", Decimal("25.4")),
}
AMAZON_FACTORS = {name: factor for name, factor in [*WEIGHT.values(), *LENGTH.values()]}
AMAZON_FACTORS.update(
    {
        "meters": Decimal(1000),
        "milligrams": Decimal("0.001"),
        "hundredths_pounds": Decimal("4.5359237"),
        "hundredths_inches": Decimal("0.254"),
        "decimeters": Decimal(100),
    }
)
IMPERIAL_MARKETS = {"US"}  # Amazon.com shows pounds and inches; everyone else metric


def preferred_units(country: str) -> tuple[str, str]:
    """(weight unit, length unit) a marketplace's shoppers read."""
    return ("pounds", "inches") if country in IMPERIAL_MARKETS else ("kilograms", "centimeters")


def convert(value: float | Decimal, store_unit: str, amazon_unit: str) -> float:
    """A measure in another unit, rounded to 2 decimals (Amazon's multipleOf is 0.01 or finer)."""
    table = WEIGHT if store_unit in WEIGHT else LENGTH
    base = Decimal(str(value)) * table[store_unit][1]
    result = base / AMAZON_FACTORS[amazon_unit]
    return float(result.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


WEIGHT_UNITS = ("kilograms", "grams", "pounds", "ounces", "milligrams", "hundredths_pounds")
LENGTH_UNITS = ("centimeters", "millimeters", "inches", "meters", "decimeters", "hundredths_inches")


def pick_unit(wanted: str, allowed: list[str]) -> str:
    """`wanted` if the schema allows it, else the most common allowed unit of the same kind."""
    if not allowed or wanted in allowed:
        return wanted
    family = WEIGHT_UNITS if wanted in WEIGHT_UNITS else LENGTH_UNITS
    return next((unit for unit in family if unit in allowed), wanted)
