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
from typing import Any

from mapping.amazon_keywords import is_multiple, utf8_length
from mapping.schema_keywords import (
    ANNOTATIONS,
    COMPILED,
    TYPES,
    WHOLE_OBJECT,
    Check,
    TypeCheck,
    all_of,
    always,
    is_number,
    json_equal,
    never,
    type_covers_a_branch,
    unique_counts_ok,
)
from mapping.schema_triggers import index_rules, rule_triggers


class SchemaCompiler:
    """Compiles one root schema; `fallback` is a jsonschema validator built on the same root."""

    def __init__(self, root: dict, fallback: Any) -> None:
        self.root = root
        self.fallback = fallback
        self._refs: dict[str, Check] = {}
        self.fallback_nodes = 0  # how many subschemas needed jsonschema (for the benchmark)

    def compile(self, node: Any) -> Check:
        if node is True:
            return always
        if node is False:
            return never
        if not isinstance(node, dict):
            return always
        unknown = [k for k in node if k not in COMPILED and k not in ANNOTATIONS]
        if node is self.root and "$id" in unknown:
            unknown.remove("$id")  # the root's own id is the base of its local refs
        if (
            any(k in self.fallback.VALIDATORS or k.startswith("$") for k in unknown)
            or ("items" in node and not isinstance(node["items"], dict | bool))
            or ("minContains" in node or "maxContains" in node)
        ):
            return self._fallback(node)
        common: list[Check] = []
        by_type: dict[type, list[Check]] = {dict: [], list: [], str: [], float: []}
        self._type_only = None
        self._typing(node, common)
        type_only = self._type_only if len(common) == 1 else None
        self._combinators(node, common)
        if len(common) != 1:
            type_only = None
        self._object(node, by_type[dict])
        self._array(node, by_type[list])
        self._string(node, by_type[str])
        self._number(node, by_type[float])
        combined = all_of(common)
        python_type = {"object": dict, "array": list, "string": str}.get(type_only or "")
        if python_type is not None:
            combined = TypeCheck(combined, python_type)
        return self._dispatch(combined, {k: all_of(v) for k, v in by_type.items() if v})

    @staticmethod
    def _dispatch(common: Check, typed: dict[type, Check]) -> Check:
        on_dict, on_list = typed.get(dict), typed.get(list)
        on_str, on_num = typed.get(str), typed.get(float)
        if not typed:
            return common
        if len(typed) == 1 and on_num is None and getattr(common, "json_type", None) is not None:
            # {"type": "object", ...}: one isinstance, then that type's keywords.
            only_type, only = next(iter(typed.items()))
            if common.json_type is only_type:
                return lambda v: isinstance(v, only_type) and only(v)
        if common is always and len(typed) == 1 and on_num is None:
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
            if on_num is not None and is_number(value):
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
            tests = [TYPES[n] for n in names if n in TYPES]
            out.append(
                tests[0] if len(tests) == 1 else (lambda v, t=tuple(tests): any(f(v) for f in t))
            )
            self._type_only = names[0] if len(names) == 1 else None
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
            rules = node["allOf"]
            out.append(
                self._rules(rules) if len(rules) >= 4 else all_of([self.compile(s) for s in rules])
            )
        if "anyOf" in node and not type_covers_a_branch(node):
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
            then = self.compile(node["then"]) if "then" in node else always
            other = self.compile(node["else"]) if "else" in node else always
            out.append(lambda v: then(v) if test(v) else other(v))

    def _rules(self, rules: list) -> Check:
        """Many conditionals on one object (a product type's allOf): skip the irrelevant ones.

        A rule that only looks at some top-level names answers for an object holding none of
        them exactly as it answers for {}; that answer is computed once, here. Product-type
        schemas carry a hundred such rules (batteries, hazmat, apparel sizes...) and a payload
        touches a few of them.
        """
        checks = [self.compile(rule) for rule in rules]
        # Variation-theme style rules go behind a value index (see schema_triggers).
        indexed, triggered = index_rules(rule_triggers(rules, self.compile), checks)
        plans: list[tuple[frozenset | None, bool, Check]] = []
        for position, (rule, check) in enumerate(zip(rules, checks, strict=True)):
            if position in indexed:
                continue
            names = self._names(rule, set())
            empty = check({}) if names is not None else True
            plans.append((frozenset(names) if names is not None else None, empty, check))
        always_relevant = (*triggered, *(c for n, _e, c in plans if n is None))
        keyed = tuple((n, e, c) for n, e, c in plans if n is not None)
        everything = (*triggered, *(c for _n, _e, c in plans))

        def run(value: Any) -> bool:
            if not isinstance(value, dict):
                return all(c(value) for c in everything)
            for check in always_relevant:
                if not check(value):
                    return False
            for names, empty, check in keyed:
                if names.isdisjoint(value):
                    if not empty:
                        return False
                elif not check(value):
                    return False
            return True

        return run

    def names_of(self, node: Any, values: bool = False) -> set | None:
        """Top-level property names a subschema reads (None: it may read the whole object);
        with `values=True` only those whose values it reads, not just whether they are there
        (`required` alone looks at presence)."""
        return self._names(node, set(), values)

    def _names(self, node: Any, seen: set, values: bool = False) -> set | None:
        """Top-level names a subschema reads from the object it applies to; None if it may read
        any (enum, additionalProperties, ...)."""
        if isinstance(node, bool):
            return set()
        if not isinstance(node, dict):
            return None
        if any(k in node for k in WHOLE_OBJECT):
            return None
        names = set(node.get("properties") or ())
        if not values:
            names |= set(node.get("required") or ())
        children = [node[k] for k in ("not", "if", "then", "else") if k in node]
        for key in ("allOf", "anyOf", "oneOf"):
            children.extend(node.get(key) or ())
        if "$ref" in node:
            pointer = node["$ref"]
            if pointer in seen or not pointer.startswith("#"):
                return None
            seen = seen | {pointer}
            target: Any = self.root
            for part in pointer[1:].lstrip("/").split("/") if pointer != "#" else []:
                target = target.get(part) if isinstance(target, dict) else None
            children.append(target)
        for child in children:
            found = self._names(child, seen, values)
            if found is None:
                return None
            names |= found
        return names

    def _object(self, node: dict, out: list[Check]) -> None:
        if node.get("required"):
            needed = frozenset(node["required"])
            out.append(lambda v: v.keys() >= needed)
        props = node.get("properties") or {}
        if len(props) == 1:
            ((only_key, only_node),) = props.items()
            only = self.compile(only_node)
            out.append(lambda v: only_key not in v or only(v[only_key]))
        elif props:
            pairs = tuple((k, self.compile(s)) for k, s in props.items())
            # Iterate the smaller side: payloads carry ~30 attributes, schemas ~150.
            table = dict(pairs)

            def properties(v: dict) -> bool:
                if len(v) <= len(table):
                    for key, item in v.items():
                        check = table.get(key)
                        if check is not None and not check(item):
                            return False
                    return True
                return all(f(v[k]) for k, f in pairs if k in v)

            out.append(properties)
        extra = node.get("additionalProperties", True)
        if extra is False and "patternProperties" not in node:
            known = frozenset(props)
            out.append(lambda v: known.issuperset(v))
        elif extra is not True and "patternProperties" not in node:
            known = frozenset(props)
            rest = self.compile(extra)
            out.append(lambda v: all(rest(v[k]) for k in v if k not in known))

    def _array(self, node: dict, out: list[Check]) -> None:
        if "items" in node:
            each = self.compile(node["items"])
            out.append(lambda v: all(map(each, v)))
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
            out.append(lambda v: unique_counts_ok(v, selectors, fewest, most))

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
            out.append(lambda v: is_multiple(v, step))
