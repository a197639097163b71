"""Remembered verdicts for a product-type schema's root: per attribute value, per conditional."""

from __future__ import annotations

from typing import Any

from mapping.schema_compiler import SchemaCompiler


class MemoisedCheck:
    """The root check, remembering verdicts per attribute value and per conditional's inputs.

    A catalogue repeats itself: variants share brand, texts, dimensions and most constants, and
    a conditional reads only a few attributes. Verdicts are keyed by the `repr` of exactly the
    values a part reads (JSON values have a faithful repr), so a cached verdict is the verdict.
    """

    MAX_ENTRIES = 50_000  # a few tens of MB at most; cleared wholesale when full

    def __init__(
        self, schema: dict, compiler: SchemaCompiler, parts: dict, rules: list, whole: Any
    ) -> None:
        self.required = frozenset(schema.get("required", ()))
        self.closed = schema.get("additionalProperties", True) is False
        self.known = frozenset(schema.get("properties", {}))
        self.parts = parts
        self.whole = whole
        self.rules = []
        for index, (node, check) in enumerate(zip(schema.get("allOf", []), rules, strict=True)):
            names = compiler.names_of(node)
            empty = check({}) if names is not None else True
            self.rules.append(
                (index, tuple(sorted(names)) if names is not None else None, empty, check)
            )
        # Which rules read which attribute, and which rules fail on an empty payload: a payload
        # only needs the rules its attributes touch (and fails if it misses a must-touch one).
        self.by_name: dict[str, list[int]] = {}
        for index, names, _empty, _check in self.rules:
            for name in names or ():
                self.by_name.setdefault(name, []).append(index)
        self.global_rules = [r for r in self.rules if r[1] is None]
        self.fail_empty = frozenset(r[0] for r in self.rules if r[1] is not None and not r[2])
        self.memo: dict = {}
        self.touched_by_names: dict[frozenset, tuple | None] = {}

    def _touched(self, value: dict) -> tuple | None:
        """The rules a payload's attribute names touch (None: a must-touch rule is missed).

        Catalogues repeat the same attribute sets, so the answer is kept per set of names.
        """
        names = frozenset(value)
        found = self.touched_by_names.get(names, False)
        if found is not False:
            return found
        touched: set[int] = set()
        for name in names:
            touched.update(self.by_name.get(name, ()))
        if not self.fail_empty.issubset(touched):
            found = None
        else:
            found = tuple((i, self.rules[i][1], self.rules[i][3]) for i in sorted(touched))
        if len(self.touched_by_names) < 4096:
            self.touched_by_names[names] = found
        return found

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return self.whole(value)
        if not self.required.issubset(value) or (self.closed and not self.known.issuperset(value)):
            return False
        memo = self.memo
        if len(memo) > self.MAX_ENTRIES:
            memo.clear()
        shown: dict[str, str] = {}  # one repr per attribute, shared by the rule keys below
        parts = self.parts
        for name, item in value.items():
            shown[name] = text = repr(item)
            check = parts.get(name)
            if check is None:
                continue
            key = (name, text)
            verdict = memo.get(key)
            if verdict is None:
                verdict = memo[key] = check(item)
            if not verdict:
                return False
        for _index, _names, _empty, check in self.global_rules:
            if not check(value):
                return False
        touched = self._touched(value)
        if touched is None:
            return False
        lookup = shown.get
        for index, names, check in touched:
            key = (index, *map(lookup, names))  # None marks an absent attribute
            verdict = memo.get(key)
            if verdict is None:
                verdict = memo[key] = check(value)
            if not verdict:
                return False
        return True
