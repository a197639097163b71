"""Remembered verdicts for a product-type schema's root: per attribute value, per conditional."""

from __future__ import annotations

from typing import Any

from mapping.schema_compiler import SchemaCompiler
from mapping.schema_triggers import index_rules, rule_triggers

# What a payload's set of attribute names decides once: the part checks to run, and the rules
# grouped by the names they see present. None: the names alone make the payload invalid.
NamePlan = tuple[tuple, tuple, tuple] | None


class MemoisedCheck:
    """The root check, remembering verdicts per attribute value and per group of conditionals.

    A catalogue repeats itself: variants share brand, texts, dimensions and most constants, and
    a conditional reads only a few attributes. Verdicts are keyed by the `repr` of exactly the
    values a part reads (JSON values have a faithful repr), so a cached verdict is the verdict.

    Everything that depends only on which attribute names a payload has (which rules it
    touches, which of the names each rule reads are present) is worked out once per name set:
    a catalogue has a handful of them. Rules that see the same present names share one memo
    lookup, so a payload costs a few dozen lookups, not one per rule and name.
    """

    MAX_ENTRIES = 50_000  # a few tens of MB at most; cleared wholesale when full
    MAX_NAME_SETS = 4096

    def __init__(
        self, schema: dict, compiler: SchemaCompiler, parts: dict, rules: list, whole: Any
    ) -> None:
        self.required = frozenset(schema.get("required", ()))
        self.closed = schema.get("additionalProperties", True) is False
        self.known = frozenset(schema.get("properties", {}))
        self.parts = parts
        self.whole = whole
        # (index, names read, names whose values are read, verdict on {}, check) per rule
        self.rules: list[tuple[int, tuple | None, frozenset, bool, Any]] = []
        for index, (node, check) in enumerate(zip(schema.get("allOf", []), rules, strict=True)):
            names = compiler.names_of(node)
            if names is None:
                self.rules.append((index, None, frozenset(), True, check))
                continue
            read = frozenset(compiler.names_of(node, values=True) or ())
            self.rules.append((index, tuple(sorted(names)), read, check({}), check))
        # Which rules read which attribute, and which rules fail on an empty payload: a payload
        # only needs the rules its attributes touch (and fails if it misses a must-touch one).
        self.by_name: dict[str, list[int]] = {}
        for index, names, _read, _empty, _check in self.rules:
            for name in names or ():
                self.by_name.setdefault(name, []).append(index)
        self.global_rules = tuple(r[4] for r in self.rules if r[1] is None)
        self.fail_empty = frozenset(r[0] for r in self.rules if r[1] is not None and not r[3])
        self._triggers = rule_triggers(schema.get("allOf", []), compiler.compile)
        self._plans: dict[frozenset, NamePlan] = {}
        self._part_memo: dict[str, dict] = {name: {} for name in parts}
        self._group_memo: dict[str, dict] = {}
        self._entries = 0

    @property
    def memo(self) -> dict:
        """Remembered verdicts by (attribute or rule group, value reprs); for inspection."""
        found = {("part", name, k): v for name, m in self._part_memo.items() for k, v in m.items()}
        for prefix, m in self._group_memo.items():
            found.update({("rules", prefix, k): v for k, v in m.items()})
        return found

    def forget(self) -> None:
        """Drop every remembered verdict (the benchmark's 'cold' case; also when full)."""
        for memo in self._part_memo.values():
            memo.clear()
        for memo in self._group_memo.values():
            memo.clear()
        self._entries = 0

    def _plan(self, names: frozenset) -> NamePlan:
        """Part checks and rule groups for payloads with exactly these attribute names."""
        if not self.required.issubset(names) or (self.closed and not self.known.issuperset(names)):
            return None
        touched: set[int] = set()
        for name in names:
            touched.update(self.by_name.get(name, ()))
        if not self.fail_empty.issubset(touched):
            return None  # a rule that fails on {} sees none of its names: it fails here too
        parts = tuple(
            (name, self.parts[name], self._part_memo[name]) for name in names if name in self.parts
        )
        grouped: dict[tuple[tuple, tuple], list[int]] = {}
        for index in sorted(touched):
            _index, read_names, read_values, _empty, _check = self.rules[index]
            present = tuple(n for n in read_names if n in names)
            keyed = tuple(n for n in present if n in read_values)
            grouped.setdefault((present, keyed), []).append(index)
        groups = []
        for (present, keyed), indexes in grouped.items():
            # The prefix says which rules and which of their names are present; the verdict is
            # then fixed by the values the rules read (for `required` alone, presence is all).
            prefix = ",".join(map(str, indexes)) + "|" + ",".join(present) + "|" + ",".join(keyed)
            memo = self._group_memo.setdefault(prefix, {})
            checks = [self.rules[i][4] for i in indexes]
            # Variation-theme style rules behind a value index: one lookup, not forty rules.
            indexed, triggered = index_rules([self._triggers[i] for i in indexes], checks)
            checks = (*(c for p, c in enumerate(checks) if p not in indexed), *triggered)
            groups.append((keyed, len(keyed) == 1, checks, memo))
        shown = tuple(
            sorted({n for _p, keyed in grouped for n in keyed} | {name for name, _c, _m in parts})
        )
        return parts, tuple(groups), shown

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return self.whole(value)
        names = frozenset(value)
        plan = self._plans.get(names, False)
        if plan is False:
            plan = self._plan(names)
            if len(self._plans) < self.MAX_NAME_SETS:
                self._plans[names] = plan
        if plan is None:
            return False
        if self._entries > self.MAX_ENTRIES:
            self.forget()
        parts, groups, shown_names = plan
        shown = {name: repr(value[name]) for name in shown_names}
        for name, check, memo in parts:
            text = shown[name]
            verdict = memo.get(text)
            if verdict is None:
                verdict = memo[text] = check(value[name])
                self._entries += 1
            if not verdict:
                return False
        for check in self.global_rules:
            if not check(value):
                return False
        for keyed, single, checks, memo in groups:
            key = shown[keyed[0]] if single else tuple([shown[n] for n in keyed])
            verdict = memo.get(key)
            if verdict is None:
                verdict = True
                for check in checks:
                    if not check(value):
                        verdict = False
                        break
                memo[key] = verdict
                self._entries += 1
            if not verdict:
                return False
        return True
