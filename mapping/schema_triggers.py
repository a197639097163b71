"""Conditionals that only a listed value can trigger: dozens of if/then rules, one dict lookup.

Product-type schemas carry some forty variation-theme rules of one shape:

    {"if": {"allOf": [..., {"required": ["variation_theme"], "properties": {"variation_theme":
        {"contains": {"required": ["name"], "properties": {"name": {"enum": ["COLOR", ...]}}}}}}]},
     "then": {"required": ["color"]}}

Such an `if` can only hold when some item of `variation_theme` names one of the rule's values
(every other keyword in it is one more conjunct). So the rules are indexed by those values: a
payload naming "COLOR" evaluates the few rules listing "COLOR", and for every other rule the
`if` is false, which leaves its `else` (usually absent: nothing to check). When the attribute is
not a list, or holds a non-object item (both make `contains` or `required` hold vacuously), the
index cannot tell, and every rule is evaluated in full, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapping.schema_keywords import Check

# (attribute, item key, trigger values) read from a rule's `if`
Trigger = tuple[str, str, frozenset]


def _string_choices(node: Any) -> frozenset | None:
    """The strings a value must be one of under `node` (enum or const of strings only: JSON
    equality then is Python string equality), or None when `node` does not say."""
    if not isinstance(node, dict):
        return None
    if "enum" in node:
        values = node["enum"]
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            return frozenset(values)
    if "const" in node and isinstance(node["const"], str):
        return frozenset([node["const"]])
    return None


def _item_trigger(node: Any) -> tuple[str, frozenset] | None:
    """(key, values) when `node` requires an object's `key` to be one of `values`."""
    if not isinstance(node, dict):
        return None
    props = node.get("properties")
    if not isinstance(props, dict):
        return None
    for key in node.get("required") or ():
        if isinstance(key, str) and key in props:
            choices = _string_choices(props[key])
            if choices is not None:
                return key, choices
    return None


def _condition_trigger(node: Any) -> Trigger | None:
    """The trigger when `node` needs an item of a required attribute to match a value."""
    if not isinstance(node, dict):
        return None
    props = node.get("properties")
    if not isinstance(props, dict):
        return None
    for attribute in node.get("required") or ():
        if not isinstance(attribute, str) or not isinstance(props.get(attribute), dict):
            continue
        if "minContains" in props[attribute]:
            continue  # minContains 0 makes `contains` hold with no matching item
        found = _item_trigger(props[attribute].get("contains"))
        if found is not None:
            return attribute, found[0], found[1]
    return None


def trigger_of(rule: Any) -> Trigger | None:
    """A rule's trigger: the values one of which must appear for its `if` to hold. Only for a
    rule that is nothing but if/then/else (other keywords would apply whatever the `if`)."""
    if not isinstance(rule, dict) or "if" not in rule:
        return None
    if any(k not in ("if", "then", "else", "title", "description", "$comment") for k in rule):
        return None
    condition = rule["if"]
    found = _condition_trigger(condition)
    if found is None and isinstance(condition, dict):
        for member in condition.get("allOf") or ():  # a conjunct's trigger is the whole's
            found = _condition_trigger(member)
            if found is not None:
                break
    return found


class TriggeredRules:
    """Rules sharing one (attribute, item key), checked as a conjunction through a value index.

    `rules` are (trigger values, full check, else check or None). The verdict is exactly the
    conjunction of the full checks; the index only skips rules whose `if` cannot hold.
    """

    __slots__ = ("attribute", "key", "checks", "by_value", "otherwise")

    def __init__(self, attribute: str, key: str, rules: list[tuple[frozenset, Check, Any]]):
        self.attribute, self.key = attribute, key
        self.checks = tuple(check for _values, check, _else in rules)
        by_value: dict[str, list[Check]] = {}
        for values, check, _else in rules:
            for value in values:
                by_value.setdefault(value, []).append(check)
        self.by_value = {value: tuple(checks) for value, checks in by_value.items()}
        # For a rule whose `if` is false the verdict is its `else`; only these need a look.
        self.otherwise = tuple(
            (values, other) for values, _check, other in rules if other is not None
        )

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return all(check(value) for check in self.checks)
        items = value.get(self.attribute)
        named: set[str] = set()
        if items is not None or self.attribute in value:
            if not isinstance(items, list):
                return all(check(value) for check in self.checks)
            key = self.key
            for item in items:
                if not isinstance(item, dict):
                    return all(check(value) for check in self.checks)
                name = item.get(key)
                if isinstance(name, str) and name in self.by_value:
                    named.add(name)
        ran: set[int] = set()
        for name in named:
            for check in self.by_value[name]:
                if id(check) not in ran:
                    ran.add(id(check))
                    if not check(value):
                        return False
        for values, other in self.otherwise:
            if values.isdisjoint(named) and not other(value):
                return False
        return True


RuleTrigger = tuple[Trigger, Check | None] | None  # a rule's trigger and its `else` check


def rule_triggers(nodes: list, compile_node: Callable[[Any], Check]) -> list[RuleTrigger]:
    """Per rule: its trigger and compiled `else`, or None (worked out once per schema)."""
    found: list[RuleTrigger] = []
    for node in nodes:
        trigger = trigger_of(node)
        if trigger is None:
            found.append(None)
        else:
            found.append((trigger, compile_node(node["else"]) if "else" in node else None))
    return found


def index_rules(
    triggers: list[RuleTrigger], checks: list[Check]
) -> tuple[set[int], list[TriggeredRules]]:
    """The positions of the rules that go behind a value index, and those indexes (one per
    attribute and key with several rules: a single rule gains nothing from an index)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for position, found in enumerate(triggers):
        if found is not None:
            attribute, key, _values = found[0]
            groups.setdefault((attribute, key), []).append(position)
    indexed: set[int] = set()
    triggered = []
    for (attribute, key), positions in groups.items():
        if len(positions) >= 2:
            rules = [(triggers[p][0][2], checks[p], triggers[p][1]) for p in positions]
            triggered.append(TriggeredRules(attribute, key, rules))
            indexed.update(positions)
    return indexed, triggered
