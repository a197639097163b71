"""Generate a minimal valid attribute payload from any product-type schema.

Used to show a seller what a product type asks for in a marketplace, and by the tests and the
benchmark to build a "complete product" for product types they have never seen: it walks the
required properties, then keeps adding whatever the conditionals require for this payload.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from mapping.amazon_keywords import AmazonValidator

MAX_ROUNDS = 30
# Values Amazon's own examples get wrong for a seller-fulfilled listing.
HINTS = {"fulfillment_channel_code": "DEFAULT"}


def resolve(node: Any, root: dict) -> Any:
    """Follow local `$ref`s ("#/$defs/x") until a schema without one."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        pointer = node["$ref"]
        target: Any = root
        for part in pointer.lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        rest = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **rest} if rest else target
        seen += 1
    return node


def schema_at(root: dict, path: list) -> dict:
    """The declared subschema for a payload path (properties and items only, no conditionals)."""
    node: Any = root
    for part in path:
        node = resolve(node, root)
        if isinstance(part, int):
            node = node.get("items", {}) if isinstance(node, dict) else {}
        else:
            node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    return resolve(node, root) if isinstance(node, dict) else {}


class ExampleBuilder:
    """Makes example values; `truthy` picks true booleans to reach conditional requirements."""

    def __init__(
        self, root: dict, marketplace_id: str | None, language_tag: str | None, truthy: bool = False
    ) -> None:
        self.root = root
        self.context = {"marketplace_id": marketplace_id, "language_tag": language_tag}
        self.truthy = truthy

    def value(self, node: Any, name: str | None = None, depth: int = 0) -> Any:
        node = resolve(node, self.root)
        if not isinstance(node, dict) or depth > 12:
            return "x"
        if name in self.context and self.context[name]:
            return self.context[name]
        if name in HINTS:
            return HINTS[name]
        if "const" in node:
            return node["const"]
        if "default" in node:
            return node["default"]
        if node.get("enum"):
            return node["enum"][0]
        for key in ("anyOf", "oneOf"):
            branches = [resolve(b, self.root) for b in node.get(key, [])]
            enumerated = [b for b in branches if isinstance(b, dict) and b.get("enum")]
            if enumerated:
                return enumerated[0]["enum"][0]
        kind = node.get("type")
        if isinstance(kind, list):
            kind = kind[0]
        if kind == "object" or "properties" in node:
            return self.object(node, depth)
        if kind == "array":
            count = max(1, node.get("minItems", 1))
            return [self.value(node.get("items", {}), None, depth + 1) for _ in range(count)]
        if kind in ("number", "integer"):
            return self.number(node, kind)
        if kind == "boolean":
            return self.truthy
        return self.string(node)

    def object(self, node: dict, depth: int) -> dict:
        props = node.get("properties", {})
        return {
            key: self.value(props.get(key, {}), key, depth + 1) for key in node.get("required", [])
        }

    @staticmethod
    def number(node: dict, kind: str) -> int | float:
        low = node.get("minimum", node.get("exclusiveMinimum", 0))
        value: int | float = low + 1 if "exclusiveMinimum" in node or low <= 0 else low
        if "maximum" in node:
            value = min(value, node["maximum"])
        step = node.get("multipleOf")
        if step:
            value = step * max(1, round(value / step))
        return int(value) if kind == "integer" else value

    @staticmethod
    def string(node: dict) -> str:
        low, high = node.get("minLength", 1), node.get("maxLength", 50)
        pattern = node.get("pattern")
        fmt = node.get("format")
        candidates = [str(e) for e in node.get("examples", [])]
        if fmt == "date-time":
            candidates.insert(0, "2026-01-01T00:00:00Z")
        elif fmt == "date":
            candidates.insert(0, "2026-01-01")
        elif fmt in ("uri", "url"):
            candidates.insert(0, "https://example.com/item")
        candidates.append("x" * max(1, low))
        for text in candidates:
            if low <= len(text) <= high and (not pattern or re.search(pattern, text)):
                return text
        return candidates[-1]


def _container(payload: Any, path: list) -> Any:
    for part in path:
        try:
            payload = payload[part]
        except (KeyError, IndexError, TypeError):
            return None
    return payload


def example_payload(
    schema: dict,
    marketplace_id: str | None = None,
    language_tag: str | None = None,
    truthy: bool = False,
    validator: Any = None,
    base: dict | None = None,
    is_valid: Any = None,
) -> dict:
    """A payload that satisfies every requirement that applies to it (best effort, bounded).

    `base` attributes are kept as given, to reach the requirements they trigger (batteries...).
    `is_valid` is a fast predicate for the same schema (a ProductTypeSchema's check).
    """
    builder = ExampleBuilder(schema, marketplace_id, language_tag, truthy)
    check = validator or AmazonValidator(schema)
    valid = is_valid or check.is_valid
    payload: dict = {**builder.object(schema, 0), **copy.deepcopy(base or {})}
    for _ in range(MAX_ROUNDS):
        if valid(payload):
            break
        errors = list(check.iter_errors(payload))
        if not errors:
            break
        changed = False
        pruned: set[int] = set()  # one removal per object and round, or exclusions oscillate
        for error in errors:
            path = list(error.absolute_path)
            target = _container(payload, path)
            if error.validator == "required" and isinstance(target, dict):
                for prop in error.validator_value:
                    if prop not in target:
                        target[prop] = builder.value(schema_at(schema, [*path, prop]), prop)
                        changed = True
            elif error.validator in ("enum", "const") and path:
                parent = _container(payload, path[:-1])
                allowed = error.validator_value
                parent[path[-1]] = allowed[0] if error.validator == "enum" else allowed
                changed = True
            elif error.validator == "not" and isinstance(target, dict) and id(target) not in pruned:
                for prop in (error.validator_value or {}).get("required", []):
                    if target.pop(prop, None) is not None:
                        pruned.add(id(target))
                        changed = True
                        break
        if not changed:
            break
    return copy.deepcopy(_minimise(payload, valid, frozenset(base or ())))


def _minimise(payload: dict, valid: Any, keep: frozenset = frozenset()) -> dict:
    """Drop attributes the payload stays valid without (alternatives such as GTIN or ASIN)."""
    if not valid(payload):
        return payload
    shrinking = True
    while shrinking:
        shrinking = False
        for key in reversed(list(payload)):
            if key in keep:
                continue
            trial = {k: v for k, v in payload.items() if k != key}
            if valid(trial):
                payload, shrinking = trial, True
    return payload
