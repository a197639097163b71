"""The plan of one SKU in one marketplace: what `build_listing` returns and the pages show.

A module of its own so that the builders of single listings (mapping/listing.py) and of parents
(mapping/parents.py) both use it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

from mapping.pricing import PriceBreakdown
from mapping.problems import ERROR, Problem


@dataclass
class ListingPlan:
    """What would be sent for one SKU in one marketplace, and what stops it."""

    sku: str
    marketplace_id: str
    payload: dict
    problems: list[Problem] = field(default_factory=list)
    price_breakdown: PriceBreakdown | None = None
    hints: list[Problem] = field(default_factory=list)
    role: str = "single"  # "single", "parent" or "child"

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)
