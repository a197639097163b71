"""JSON Schema building blocks for the compiler: keyword sets, type tests, JSON equality and the
small predicate combinators the compiled closures are made of."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mapping.amazon_keywords import selector_key

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "examples",
        "default",
        "editable",
        "hidden",
        "enumNames",
        "selectors",
        "$comment",
        "$lifecycle",
        "$defs",
        "definitions",
        "$schema",
        "format",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentMediaType",
        "contentEncoding",
        "$anchor",
        "then",
        "else",  # read by "if"
    }
)
COMPILED = frozenset(
    {
        "type",
        "enum",
        "const",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "contains",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "if",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "$ref",
        "multipleOf",
        "maxUtf8ByteLength",
        "minUtf8ByteLength",
        "maxUniqueItems",
        "minUniqueItems",
    }
)


# Keywords that read an object as a whole, not by named properties.
WHOLE_OBJECT = frozenset(
    {
        "enum",
        "const",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "dependencies",
    }
)


def always(_value: Any) -> bool:
    return True


def never(_value: Any) -> bool:
    return False


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": is_number,
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


class TypeCheck:
    """A bare type check that says which Python type it accepts (lets dispatch fuse it)."""

    __slots__ = ("check", "json_type")

    def __init__(self, check: Check, json_type: type) -> None:
        self.check, self.json_type = check, json_type

    def __call__(self, value: Any) -> bool:
        return self.check(value)


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1, lists and objects compare deeply."""
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)
    return one == two


def all_of(checks: list[Check]) -> Check:
    if not checks:
        return always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    if len(checks) == 3:
        first, second, third = checks
        return lambda v: first(v) and second(v) and third(v)
    frozen = tuple(checks)

    def run(value: Any) -> bool:
        for check in frozen:
            if not check(value):
                return False
        return True

    return run


def type_covers_a_branch(node: dict) -> bool:
    """True for {"type": "string", "anyOf": [{"type": "string"}, ...]}: the anyOf always holds
    once the node's own type does (Amazon's open enums for marketplace_id and friends)."""
    kind = node.get("type")
    for branch in node.get("anyOf") or ():
        if isinstance(branch, dict):
            asserted = {k for k in branch if k not in ANNOTATIONS}
            if asserted == {"type"} and branch["type"] == kind:
                return True
    return False


def unique_counts_ok(items: list, selectors: tuple, fewest: int | None, most: int | None) -> bool:
    if not items:
        return True
    if len(items) == 1:
        return (fewest is None or fewest <= 1) and (most is None or most >= 1)
    counts: dict[str, int] = {}
    for item in items:
        key = selector_key(item, selectors)
        counts[key] = counts.get(key, 0) + 1
    values = counts.values()
    return (fewest is None or min(values) >= fewest) and (most is None or max(values) <= most)
