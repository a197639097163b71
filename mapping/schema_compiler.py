"""Compile a product-type schema into plain Python predicates: a fast "is this payload valid?".

jsonschema walks a 1 MB product-type schema for every payload and takes several milliseconds; a
seller's catalogue times eight marketplaces needs well under one. The compiler turns each
subschema once into a closure that answers valid/invalid with the same semantics as
`AmazonValidator` (Draft 2019-09 as jsonschema implements it, plus Amazon's keywords). Only when
a payload is invalid does the caller ask jsonschema for the detailed errors. Keywords it does not
know are handed to jsonschema for that subschema, so an unseen schema stays correct, only slower.
"""

from __future__ import annotations

import re
from fractions import Fraction
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mapping.amazon_keywords import selector_key, utf8_length

Check = Callable[[Any], bool]

ANNOTATIONS = frozenset({
    "title", "description", "examples", "default", "editable", "hidden", "enumNames",
    "selectors", "$comment", "$lifecycle", "$defs", "definitions", "$schema", "format",
    "deprecated", "readOnly", "writeOnly", "contentMediaType", "contentEncoding", "$anchor",
    "then", "else",  # read by "if"
})
COMPILED = frozenset({
    "type", "enum", "const", "required", "properties", "additionalProperties", "items",
    "contains", "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "if", "not", "allOf", "anyOf", "oneOf",
    "$ref", "multipleOf", "maxUtf8ByteLength", "minUtf8ByteLength", "maxUniqueItems", "minUniqueItems",
})


def _always(_value: Any) -> bool:
    return True


def _never(_value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}


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


def _all_of(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def run(value: Any) -> bool:
        for check in frozen:
            if not check(value):
                return False
        return True

    return run


class SchemaCompiler:
    """Compiles one root schema; `fallback` is a jsonschema validator built on the same root."""

    def __init__(self, root: dict, fallback: Any) -> None:
        self.root = root
        self.fallback = fallback
        self._refs: dict[str, Check] = {}
        self.fallback_nodes = 0  # how many subschemas needed jsonschema (for the benchmark)

    def compile(self, node: Any) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            return _always
        unknown = [k for k in node if k not in COMPILED and k not in ANNOTATIONS]
        if node is self.root and "$id" in unknown:
            unknown.remove("$id")  # the root's own id is the base of its local refs
        if any(k in self.fallback.VALIDATORS or k.startswith("$") for k in unknown) or (
            "items" in node and not isinstance(node["items"], dict | bool)
        ) or ("minContains" in node or "maxContains" in node):
            return self._fallback(node)
        common: list[Check] = []
        by_type: dict[type, list[Check]] = {dict: [], list: [], str: [], float: []}
        self._typing(node, common)
        self._combinators(node, common)
        self._object(node, by_type[dict])
        self._array(node, by_type[list])
        self._string(node, by_type[str])
        self._number(node, by_type[float])
        return self._dispatch(_all_of(common), {k: _all_of(v) for k, v in by_type.items() if v})

    @staticmethod
    def _dispatch(common: Check, typed: dict[type, Check]) -> Check:
        on_dict, on_list = typed.get(dict), typed.get(list)
        on_str, on_num = typed.get(str), typed.get(float)
        if not typed:
            return common
        if common is _always and len(typed) == 1 and on_num is None:
            # The common shape of conditionals: one keyword family on one JSON type.
            only_type, only = next(iter(typed.items()))
            return lambda v: not isinstance(v, only_type) or only(v)

        def run(value: Any) -> bool:
            if not common(value):
                return False
            if isinstance(value, dict):
                return on_dict is None or on_dict(value)
            if isinstance(value, list):
                return on_list is None or on_list(value)
            if isinstance(value, str):
                return on_str is None or on_str(value)
            if on_num is not None and _is_number(value):
                return on_num(value)
            return True

        return run

    def _fallback(self, node: dict) -> Check:
        self.fallback_nodes += 1
        validator = self.fallback.evolve(schema=node)
        return validator.is_valid

    def _ref(self, pointer: str) -> Check:
        if pointer in self._refs:
            return self._refs[pointer]
        if not pointer.startswith("#"):
            return self._fallback({"$ref": pointer})
        cell: list[Check] = []
        self._refs[pointer] = lambda value: cell[0](value)  # late binding allows recursion
        target: Any = self.root
        for part in pointer[1:].lstrip("/").split("/") if pointer != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target[int(part)] if isinstance(target, list) else target[part]
        cell.append(self.compile(target))
        self._refs[pointer] = cell[0]
        return cell[0]

    def _typing(self, node: dict, out: list[Check]) -> None:
        kind = node.get("type")
        if kind is not None:
            names = [kind] if isinstance(kind, str) else list(kind)
            tests = [_TYPES[n] for n in names if n in _TYPES]
            out.append(tests[0] if len(tests) == 1 else (lambda v, t=tuple(tests): any(
                f(v) for f in t)))
        if "enum" in node:
            out.append(self._enum(node["enum"]))
        if "const" in node:
            const = node["const"]
            out.append(lambda v: json_equal(v, const))
        if "$ref" in node:
            out.append(self._ref(node["$ref"]))

    @staticmethod
    def _enum(values: list) -> Check:
        if values and all(isinstance(v, str) for v in values):
            allowed = frozenset(values)
            return lambda v: isinstance(v, str) and v in allowed
        if values and all(isinstance(v, bool) for v in values):
            flags = tuple(values)
            return lambda v: isinstance(v, bool) and v in flags
        return lambda v: any(json_equal(v, e) for e in values)

    def _combinators(self, node: dict, out: list[Check]) -> None:
        if "allOf" in node:
            out.append(_all_of([self.compile(s) for s in node["allOf"]]))
        if "anyOf" in node:
            options = tuple(self.compile(s) for s in node["anyOf"])
            out.append(lambda v: any(f(v) for f in options))
        if "oneOf" in node:
            choices = tuple(self.compile(s) for s in node["oneOf"])
            out.append(lambda v: sum(1 for f in choices if f(v)) == 1)
        if "not" in node:
            negated = self.compile(node["not"])
            out.append(lambda v: not negated(v))
        if "if" in node:
            test = self.compile(node["if"])
            then = self.compile(node["then"]) if "then" in node else _always
            other = self.compile(node["else"]) if "else" in node else _always
            out.append(lambda v: then(v) if test(v) else other(v))

    def _object(self, node: dict, out: list[Check]) -> None:
        if node.get("required"):
            needed = frozenset(node["required"])
            out.append(lambda v: v.keys() >= needed)
        props = node.get("properties") or {}
        if props:
            pairs = tuple((k, self.compile(s)) for k, s in props.items())
            # Iterate the smaller side: payloads carry ~30 attributes, schemas ~150.
            table = dict(pairs)

            def properties(v: dict) -> bool:
                if len(v) < len(table):
                    for key, item in v.items():
                        check = table.get(key)
                        if check is not None and not check(item):
                            return False
                    return True
                return all(f(v[k]) for k, f in pairs if k in v)

            out.append(properties)
        extra = node.get("additionalProperties", True)
        if extra is not True and "patternProperties" not in node:
            known = frozenset(props)
            rest = self.compile(extra)
            out.append(lambda v: all(rest(v[k]) for k in v if k not in known))

    def _array(self, node: dict, out: list[Check]) -> None:
        if "items" in node:
            each = self.compile(node["items"])
            out.append(lambda v: all(each(i) for i in v))
        if "contains" in node:
            some = self.compile(node["contains"])
            out.append(lambda v: any(some(i) for i in v))
        low, high = node.get("minItems"), node.get("maxItems")
        if low is not None:
            out.append(lambda v: len(v) >= low)
        if high is not None:
            out.append(lambda v: len(v) <= high)
        selectors = tuple(node.get("selectors") or ())
        most, fewest = node.get("maxUniqueItems"), node.get("minUniqueItems")
        if most is not None or fewest is not None:
            out.append(lambda v: _unique_counts_ok(v, selectors, fewest, most))

    @staticmethod
    def _string(node: dict, out: list[Check]) -> None:
        low, high = node.get("minLength"), node.get("maxLength")
        if low is not None:
            out.append(lambda v: len(v) >= low)
        if high is not None:
            out.append(lambda v: len(v) <= high)
        if "pattern" in node:
            search = re.compile(node["pattern"]).search
            out.append(lambda v: search(v) is not None)
        byte_low, byte_high = node.get("minUtf8ByteLength"), node.get("maxUtf8ByteLength")
        if byte_high is not None:
            out.append(lambda v: len(v) * 4 <= byte_high or utf8_length(v) <= byte_high)
        if byte_low is not None:
            out.append(lambda v: utf8_length(v) >= byte_low)

    @staticmethod
    def _number(node: dict, out: list[Check]) -> None:
        for key, test in (
            ("minimum", lambda v, b: v >= b),
            ("maximum", lambda v, b: v <= b),
            ("exclusiveMinimum", lambda v, b: v > b),
            ("exclusiveMaximum", lambda v, b: v < b),
        ):
            if key in node:
                out.append(lambda v, b=node[key], t=test: t(v, b))
        if "multipleOf" in node:
            step = node["multipleOf"]
            out.append(lambda v: _multiple_of(v, step))


def _multiple_of(value: int | float, step: int | float) -> bool:
    """jsonschema's own arithmetic, so that float steps such as 0.01 judge alike."""
    if isinstance(step, float):
        quotient = value / step
        try:
            return int(quotient) == quotient
        except OverflowError:
            return (Fraction(value) / Fraction(step)).denominator == 1
    return not value % step


def _unique_counts_ok(items: list, selectors: tuple, fewest: int | None, most: int | None) -> bool:
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
