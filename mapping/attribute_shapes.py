"""What a product-type schema says about one attribute's entries, read once per schema.

Every listing of a catalogue asks the same questions of the schema for every attribute (which
key holds the value, is it a number or an enum, does each entry carry `marketplace_id` and
`language_tag`?). The answers depend on the schema only, so they are worked out on first use and
kept in the compiled schema's memo.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mapping.schema_validation import ProductTypeSchema

TRUE_WORDS = frozenset({"true", "yes", "1", "ja", "oui", "y"})
FALSE_WORDS = frozenset({"false", "no", "0", "nein", "non", "n"})


def closed_enum(node: dict) -> tuple[list, list]:
    """(allowed values, their display names) when a value node is a closed enum, else ([], [])."""
    if node.get("enum"):
        return list(node["enum"]), list(node.get("enumNames") or [])
    # An anyOf/oneOf enum beside a type is an open list: any string is allowed, the enum only
    # suggests; without a type it is not a list we match names against either.
    return [], []


class ValueRule:
    """How a store value becomes the schema's type: numbers from strings, enum values by name."""

    __slots__ = ("kind", "allowed", "names", "allowed_set")

    def __init__(self, node: dict) -> None:
        self.kind = node.get("type")
        self.allowed, self.names = closed_enum(node)
        self.allowed_set = frozenset(a for a in self.allowed if isinstance(a, str))

    def coerce(self, value: Any) -> Any:
        kind = self.kind
        if kind in ("number", "integer"):
            number = Decimal(str(value).strip().replace(",", "."))
            return int(number) if kind == "integer" else float(number)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in TRUE_WORDS:
                return True
            if text in FALSE_WORDS:
                return False
            raise ValueError(f"{value!r} is not yes or no")
        text = value if isinstance(value, str) else str(value)
        if self.allowed and text not in self.allowed_set:
            folded = text.strip().lower()
            names = self.names
            for index, option in enumerate(self.allowed):
                label = names[index] if index < len(names) else ""
                if folded in (str(option).lower(), str(label).lower()):
                    return option
        return text


class AttributeShape:
    """One attribute's entry shape in one schema: items schema, value key, value rule, tags."""

    __slots__ = ("items", "props", "key", "value", "most", "per_market", "per_language")

    def __init__(self, schema: ProductTypeSchema, attribute: str) -> None:
        top = schema.properties.get(attribute) or {}
        self.items = top.get("items") or {}
        self.props = self.items.get("properties") or {}
        self.key = next(
            (k for k in ("value", "media_location", "name") if k in self.props), "value"
        )
        self.value = ValueRule(self.props.get(self.key) or {})
        self.most = top.get("maxUniqueItems")
        self.per_market = "marketplace_id" in self.props
        self.per_language = "language_tag" in self.props


def shape_of(schema: ProductTypeSchema, attribute: str) -> AttributeShape:
    """The attribute's shape, worked out once per compiled schema."""
    shapes = schema.memo.get("shapes")
    if shapes is None:
        shapes = schema.memo["shapes"] = {}
    found = shapes.get(attribute)
    if found is None:
        found = shapes[attribute] = AttributeShape(schema, attribute)
    return found
