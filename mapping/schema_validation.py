"""Validate listing attributes locally against a product-type schema, before anything is sent.

`ProductTypeSchema` compiles a schema once (a fast predicate plus a jsonschema validator that
knows Amazon's keywords); `validate()` answers with seller-facing `Problem`s. `SchemaCache` keeps
compiled schemas in memory per (product type, marketplace, locale, version); the job layer fills
it from SP-API `getDefinitionsProductType` and refreshes it when Amazon's version changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema import ValidationError

from mapping.amazon_keywords import AmazonValidator
from mapping.messages import N_, say
from mapping.problems import Problem, describe
from mapping.schema_compiler import SchemaCompiler
from mapping.schema_memo import MemoisedCheck

__all__ = ["Problem", "ProductTypeSchema", "SchemaCache", "validate_attributes"]

# Root keywords the split explanation understands; anything else: jsonschema on the whole.
SPLITTABLE = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "type",
        "required",
        "properties",
        "additionalProperties",
        "allOf",
        "title",
        "description",
    }
)


@dataclass
class ProductTypeSchema:
    """One product type's schema for one marketplace and locale, compiled for repeated use."""

    schema: dict
    product_type: str
    marketplace_id: str | None
    locale: str | None = None
    version: str | None = None
    validator: Any = field(init=False, repr=False)
    check: Any = field(init=False, repr=False)
    memo: dict = field(init=False, repr=False, default_factory=dict)  # per-schema lookups
    # Read for every attribute of every listing: looked up once (the schema is never edited).
    properties: dict = field(init=False, repr=False)
    language_tag: str | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.properties = self.schema.get("properties", {})
        self.language_tag = (self.schema.get("$defs", {}).get("language_tag") or {}).get(
            "default"
        ) or self.locale
        self.validator = AmazonValidator(self.schema)
        compiler = SchemaCompiler(self.schema, self.validator)
        self.check = compiler.compile(self.schema)
        # Per-part predicates, so that an invalid payload sends only its failing parts to
        # jsonschema for explanations (the whole schema takes ~50 ms to explain).
        self._split = set(self.schema) <= SPLITTABLE and self.schema.get("type") == "object"
        if self._split:
            self._part_checks = {
                name: compiler.compile(node) for name, node in self.properties.items()
            }
            self._rule_checks = [compiler.compile(node) for node in self.schema.get("allOf", [])]
            self.check = MemoisedCheck(
                self.schema, compiler, self._part_checks, self._rule_checks, self.check
            )

    @classmethod
    def from_schema(
        cls,
        schema: dict,
        *,
        product_type: str | None = None,
        marketplace_id: str | None = None,
        locale: str | None = None,
        version: str | None = None,
    ) -> ProductTypeSchema:
        """Compile a schema; product type and marketplace default to what the schema declares."""
        declared_type = str(schema.get("$id", "")).rstrip("/").rsplit("/", 1)[-1] or "PRODUCT"
        defs = schema.get("$defs", {})
        declared_mp = (defs.get("marketplace_id") or {}).get("default")
        declared_locale = (defs.get("language_tag") or {}).get("default")
        return cls(
            schema,
            product_type or declared_type,
            marketplace_id or declared_mp,
            locale or declared_locale,
            version,
        )

    @property
    def required(self) -> list[str]:
        return list(self.schema.get("required", []))

    def enum_of(self, attribute: str, key: str = "value") -> list:
        """Allowed values of an attribute's `value` (e.g. variation_theme's themes), or []."""
        items = (self.properties.get(attribute) or {}).get("items") or {}
        node = (items.get("properties") or {}).get(key) or {}
        if node.get("enum"):
            return list(node["enum"])
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            if isinstance(branch, dict) and branch.get("enum"):
                return list(branch["enum"])
        return []

    def is_valid(self, attributes: dict) -> bool:
        return self.check(attributes)

    def validate(self, attributes: Any, marketplace_id: str | None = None) -> list[Problem]:
        """Every problem with these attributes for this marketplace; [] when Amazon would accept."""
        mp = marketplace_id or self.marketplace_id
        if not isinstance(attributes, dict):
            return [
                Problem(
                    "attributes",
                    mp,
                    "wrong_type",
                    say(N_("The listing attributes are not an object.")),
                    say(N_("Rebuild the listing from the product.")),
                )
            ]
        try:
            if self.check(attributes):
                return []
        except (TypeError, ValueError, RecursionError):
            pass  # let jsonschema explain whatever the fast path could not judge
        errors = self._errors(attributes) if self._split else self.validator.iter_errors(attributes)
        return describe(errors, self.schema, mp, self.product_type)

    def _errors(self, attributes: dict) -> Iterator[ValidationError]:
        """jsonschema's errors for the failing parts only, with their full schema paths."""
        for name in self.schema.get("required", []):
            if name not in attributes:
                yield ValidationError(
                    f"{name!r} is a required property",
                    validator="required",
                    validator_value=self.schema["required"],
                    instance=attributes,
                    schema=self.schema,
                    schema_path=deque(["required"]),
                )
        extra = self.schema.get("additionalProperties", True)
        for name, value in attributes.items():
            check = self._part_checks.get(name)
            if check is None:
                if extra is False:
                    yield ValidationError(
                        f"Additional properties are not allowed ({name!r} was unexpected)",
                        validator="additionalProperties",
                        validator_value=False,
                        instance=attributes,
                        schema=self.schema,
                        schema_path=deque(["additionalProperties"]),
                    )
                continue
            if not check(value):
                for error in self.validator.descend(
                    value, self.properties[name], path=name, schema_path=name
                ):
                    error.relative_schema_path.appendleft("properties")
                    yield error
        for index, rule in enumerate(self.schema.get("allOf", [])):
            if not self._rule_checks[index](attributes):
                for error in self.validator.descend(attributes, rule, schema_path=index):
                    error.relative_schema_path.appendleft("allOf")
                    yield error


def validate_attributes(
    schema: ProductTypeSchema, attributes: dict, marketplace_id: str | None = None
) -> list[Problem]:
    """Problems of `attributes` against a compiled schema (see ProductTypeSchema.validate)."""
    return schema.validate(attributes, marketplace_id)


SchemaKey = tuple[str, str, str, str]


class SchemaCache:
    """Compiled schemas in memory, keyed by (product type, marketplace, locale, version).

    Pure and thread-safe; the job layer fetches schemas and `put`s them. `latest()` answers
    without a version; `is_current()` tells the job whether Amazon's version moved on.
    """

    def __init__(self, max_entries: int = 128) -> None:
        self._entries: OrderedDict[SchemaKey, ProductTypeSchema] = OrderedDict()
        self._latest: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def put(
        self, schema: dict, product_type: str, marketplace_id: str, locale: str, version: str
    ) -> ProductTypeSchema:
        compiled = ProductTypeSchema(schema, product_type, marketplace_id, locale, version)
        with self._lock:
            key = (product_type, marketplace_id, locale, version)
            self._entries[key] = compiled
            self._entries.move_to_end(key)
            self._latest[key[:3]] = version
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return compiled

    def get(
        self, product_type: str, marketplace_id: str, locale: str, version: str | None = None
    ) -> ProductTypeSchema | None:
        with self._lock:
            version = version or self._latest.get((product_type, marketplace_id, locale))
            found = self._entries.get((product_type, marketplace_id, locale, version or ""))
            if found is not None:
                self._entries.move_to_end((product_type, marketplace_id, locale, version))
            return found

    latest = get

    def is_current(self, product_type: str, marketplace_id: str, locale: str, version: str) -> bool:
        """True when the cached schema has this version (no fetch needed)."""
        with self._lock:
            return self._latest.get((product_type, marketplace_id, locale)) == version and (
                (product_type, marketplace_id, locale, version) in self._entries
            )

    def __len__(self) -> int:
        return len(self._entries)
