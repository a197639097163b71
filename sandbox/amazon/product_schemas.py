"""Product-type schemas per marketplace (the real ones from the specs, plus the demo ones),
their validators, and the conversion of validation errors into Amazon-style issues."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from . import demo_schemas
from .keywords import AmazonValidator
from .marketplaces import BY_COUNTRY, Marketplace

# language tag in a real schema's file name -> country of the marketplace it was fetched for
_REAL_LOCALES = {
    "en_US": "US", "en_CA": "CA", "es_MX": "MX", "fr_FR": "FR", "de_DE": "DE", "en_GB": "GB",
    "ja_JP": "JP",
}  # fmt: skip
_PRICE_ATTRIBUTES = {"purchasable_offer", "list_price"}
_IMAGE_ATTRIBUTES = re.compile(r".*_image_locator.*")


class SchemaStore:
    """Finds the schema of (product type, marketplace) and validates attributes against it."""

    def __init__(self, definitions_dir: Path | None) -> None:
        self.real: dict[tuple[str, str], Path] = {}  # (product type, marketplace id) -> file
        self._validators: dict[tuple[str, str], AmazonValidator] = {}
        if definitions_dir and definitions_dir.is_dir():
            product = definitions_dir / "Product.json"
            if product.is_file():
                self.real[("PRODUCT", BY_COUNTRY["US"].id)] = product
            for path in sorted((definitions_dir / "product-types").glob("*.schema.json")):
                name, lang = path.name.split(".")[:2]
                if lang in _REAL_LOCALES:
                    self.real[(name, BY_COUNTRY[_REAL_LOCALES[lang]].id)] = path

    def product_types(self, market: Marketplace) -> list[str]:
        """Names of the product types offered in a marketplace."""
        names = {pt for pt, mkt in self.real if mkt == market.id}
        return sorted(names | set(demo_schemas.product_types()))

    def keywords(self, product_type: str) -> list[str]:
        return demo_schemas.product_types().get(product_type, {}).get("keywords", [])

    def get(self, product_type: str, market: Marketplace) -> dict | None:
        """The schema document, or None when the product type is unknown in that marketplace."""
        return _load(self, product_type, market)

    def display_name(self, product_type: str, market: Marketplace) -> str:
        if product_type in demo_schemas.product_types():
            return demo_schemas.display_name(product_type, market.language)
        return product_type.replace("_", " ").title()

    def checksum(self, product_type: str, market: Marketplace) -> str:
        text = json.dumps(self.get(product_type, market), sort_keys=True).encode("utf-8")
        return hashlib.md5(text, usedforsecurity=False).hexdigest()

    def issues(
        self, product_type: str, market: Marketplace, attributes: dict, enforce_required: bool
    ) -> list[dict] | None:
        """Amazon-style issues for `attributes`, or None when there is no such schema."""
        schema = self.get(product_type, market)
        if schema is None:
            return None
        key = (product_type, market.id)
        validator = self._validators.get(key)
        if validator is None:
            validator = self._validators[key] = AmazonValidator(schema)
        found: list[dict] = []
        for error in validator.iter_errors(attributes):
            found += _to_issues(error, schema, enforce_required)
        unique = {json.dumps(i, sort_keys=True): i for i in found}
        return list(unique.values())


@lru_cache(maxsize=64)
def _load(store: SchemaStore, product_type: str, market: Marketplace) -> dict | None:
    path = store.real.get((product_type, market.id))
    if path is not None:
        return json.loads(path.read_text(encoding="utf-8"))
    if product_type in demo_schemas.product_types():
        return demo_schemas.build(product_type, market)
    return None


def _to_issues(error, schema: dict, enforce_required: bool) -> list[dict]:
    path = list(error.absolute_path)
    if error.validator == "required" and not path:
        if not enforce_required:
            return []
        missing = [n for n in error.validator_value if n not in (error.instance or {})]
        return [
            {
                "code": "90220",
                "message": f"'[{name}]' is required but not supplied.",
                "severity": "ERROR",
                "attributeNames": [name],
                "categories": [_missing_category(name)],
            }
            for name in missing
        ]
    if error.validator == "additionalProperties" and not path:
        extra = [n for n in error.instance if n not in schema.get("properties", {})]
        return [
            {
                "code": "100339",
                "message": f"The attribute '{name}' is not supported for this product type.",
                "severity": "ERROR",
                "attributeNames": [name],
                "categories": ["INVALID_ATTRIBUTE"],
            }
            for name in extra
        ]
    attribute = str(path[0]) if path else ""
    label = schema.get("properties", {}).get(attribute, {}).get("title", attribute)
    detail = error.message if len(error.message) < 200 else error.message[:200] + "..."
    category = "INVALID_PRICE" if attribute in _PRICE_ATTRIBUTES else "INVALID_ATTRIBUTE"
    if _IMAGE_ATTRIBUTES.match(attribute):
        category = "INVALID_IMAGE"
    return [
        {
            "code": "4000001",
            "message": f"The value provided for '{label}' ({attribute}) is invalid: {detail}",
            "severity": "ERROR",
            "attributeNames": [attribute] if attribute else [],
            "categories": [category],
        }
    ]


def _missing_category(name: str) -> str:
    if name in _PRICE_ATTRIBUTES:
        return "MISSING_PRICE"
    if _IMAGE_ATTRIBUTES.match(name):
        return "MISSING_IMAGE"
    return "MISSING_ATTRIBUTE"
