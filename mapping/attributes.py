"""Attribute mapping: from a canonical product and variant, through a profile, to Amazon's shape.

Amazon wants every attribute as an array of objects, most carrying `marketplace_id` and, for
texts, `language_tag`; the exact keys come from the product-type schema, so this module reads the
schema instead of hard-coding shapes: an unseen product type maps the same way.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from mapping.attribute_shapes import ValueRule, shape_of
from mapping.marketplaces import Marketplace
from mapping.messages import N_, say
from mapping.problems import WARNING, Problem
from mapping.schema_validation import ProductTypeSchema
from mapping.sources import EMPTY, Resolver, resolve_source, resolver_for
from mapping.texts import Texts
from mapping.units import convert, pick_unit, preferred_units

MAPPING_ERRORS = (ValueError, TypeError, KeyError, InvalidOperation, ArithmeticError)
MAX_RULE_SETS = 512  # rule sets remembered per schema (many shops' profiles share a process)


def coerce(value: Any, node: dict) -> Any:
    """A store value as the schema's type: numbers from strings, enum values by name."""
    return ValueRule(node).coerce(value)


def _measure(raw: Any, items: dict, market: Marketplace, rule: dict) -> dict | None:
    if not isinstance(raw, dict) or "unit" not in raw:
        return None
    props = items.get("properties") or {}
    weight_unit, length_unit = preferred_units(market.country)
    if "length" in raw:  # dimensions: three measures
        result = {}
        for side in ("length", "width", "height"):
            node = props.get(side) or {}
            allowed = ((node.get("properties") or {}).get("unit") or {}).get("enum") or []
            unit = pick_unit(rule.get("unit") or length_unit, allowed)
            result[side] = {"value": convert(raw[side], raw["unit"], unit), "unit": unit}
        return result
    allowed = (props.get("unit") or {}).get("enum") or []
    unit = pick_unit(rule.get("unit") or weight_unit, allowed)
    return {"value": convert(raw["value"], raw["unit"], unit), "unit": unit}


def gtin_type(code: str, allowed: list[str]) -> str | None:
    """ "upc", "ean" or "gtin" for a valid GTIN-8/12/13/14 (check digit verified), else None."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return None
    digits = [int(c) for c in code]
    total = sum(d * (1 if i % 2 else 3) for i, d in enumerate(reversed(digits[:-1])))
    if (10 - total % 10) % 10 != digits[-1]:
        return None
    preferred = {12: "upc", 13: "ean", 8: "ean", 14: "gtin"}[len(code)]
    if not allowed or preferred in allowed:
        return preferred
    return "gtin" if "gtin" in allowed else allowed[0]


def shape(
    attribute: str,
    raw: Any,
    schema: ProductTypeSchema,
    market: Marketplace,
    rule: dict | None = None,
) -> list[dict]:
    """Amazon's array-of-objects form of one attribute; raises ValueError when it cannot."""
    rule = rule or {}
    info = shape_of(schema, attribute)
    source = rule.get("source")
    if source == "convert":
        measured = _measure(raw, info.items, market, rule)
        if measured is None:
            raise ValueError(f"{raw!r} is not a measurement with a unit")
        entries = [measured]
    elif source == "identifier":
        code = re.sub(r"[\s-]", "", str(raw))
        kind = gtin_type(code, ((info.props.get("type") or {}).get("enum")) or [])
        if kind is None:
            raise ValueError(f"{raw!r} is not a valid GTIN (UPC, EAN or JAN): check digit")
        entries = [{"type": kind, "value": code}]
    else:
        values = raw if isinstance(raw, list) else [raw]
        most = info.most
        if most == 1 and len(values) > 1 and all(isinstance(v, str) for v in values):
            values = [" ".join(values)]  # search terms and the like: one space-separated value
        elif most and len(values) > most:
            values = values[:most]
        # A dict is an entry the seller (or a value map) already shaped, e.g. apparel_size.
        key, coerce_value = info.key, info.value.coerce
        entries = [
            dict(v) if isinstance(v, dict) else {key: coerce_value(v)}
            for v in values
            if v not in (None, "")
        ]
    if info.per_market:
        for entry in entries:
            entry.setdefault("marketplace_id", market.id)
    if info.per_language:
        tag = schema.language_tag or market.language_tag
        for entry in entries:
            entry.setdefault("language_tag", tag)
    return entries


def _constant_entries(
    attribute: str, rule: dict, schema: ProductTypeSchema, market: Marketplace, texts: Texts
) -> list[dict] | str | None:
    """A constant rule's entries (None when empty), or the error's text when it cannot be
    shaped: they depend on the schema and marketplace only."""
    try:
        raw = resolve_source(rule, {}, {}, texts)  # a constant reads none of them
        return None if raw in EMPTY else shape(attribute, raw, schema, market, rule)
    except MAPPING_ERRORS as exc:
        return str(exc)


def _failing(error: Exception) -> Resolver:
    """A rule that cannot be read (a bad index...) fails where it is used, as a problem."""
    reason = str(error)

    def fail(_product: dict, _variant: dict, _texts: Texts) -> Any:
        raise ValueError(reason)

    return fail


def _step(
    attribute: str, rule: dict, schema: ProductTypeSchema, market: Marketplace, texts: Texts
) -> tuple[str, dict, Resolver | None, Any]:
    if rule.get("source") == "constant" and not rule.get("fallback"):
        entries = _constant_entries(attribute, rule, schema, market, texts)
        if entries and not isinstance(entries, str):
            entries = (entries, _is_flat(entries))
        return attribute, rule, None, entries
    try:
        resolve = resolver_for(rule)
    except MAPPING_ERRORS as exc:
        resolve = _failing(exc)
    return attribute, rule, resolve, None


def _steps(
    rules: dict[str, dict], schema: ProductTypeSchema, market: Marketplace, texts: Texts
) -> list[tuple[str, dict, Resolver | None, Any]]:
    """(attribute, rule, resolver, shaped constant) for the rules this schema can use; a
    constant rule has no resolver, its (entries, flat) or error text are worked out here once.

    Worked out once per schema, marketplace and rule set: a catalogue maps thousands of
    variants with the same profile, and constants are a third of a typical profile.
    """
    plans = schema.memo.get("rule_steps")
    if plans is None or len(plans) > MAX_RULE_SETS:
        plans = schema.memo["rule_steps"] = {}
    key = (market.id, repr(rules))  # the rules' content: a profile may change between calls
    steps = plans.get(key)
    if steps is None:
        rules = copy.deepcopy(rules)  # kept: must not follow later edits of the caller's dicts
        steps = plans[key] = [
            _step(attribute, rule, schema, market, texts)
            for attribute, rule in rules.items()
            if attribute in schema.properties and isinstance(rule, dict)
        ]
    return steps


def _copied(value: Any) -> Any:
    """A JSON value copied all the way down: listings never share a mutable part."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _is_flat(entries: list[dict]) -> bool:
    """True when no entry holds a dict or list (one `dict.copy` per entry copies it all)."""
    return all(not isinstance(v, dict | list) for e in entries for v in e.values())


def _fresh(entries: list[dict], flat: bool) -> list[dict]:
    return [e.copy() for e in entries] if flat else _copied(entries)


class AttributeMapper:
    """Maps the variants of one product in one marketplace with one rule set.

    The rule steps are shared per schema; what a variant shares with the previous one (brand,
    texts, images: the very same store objects) is shaped once and copied.
    """

    def __init__(
        self,
        rules: dict[str, dict],
        market: Marketplace,
        schema: ProductTypeSchema,
        texts: Texts,
    ) -> None:
        self.rules = rules
        self.steps = _steps(rules, schema, market, texts)
        self.market, self.schema, self.texts = market, schema, texts
        # attribute -> (rule, raw value, its entries, whether they are flat) of the last variant
        self._previous: dict[str, tuple[dict, Any, list[dict], bool]] = {}

    def subset(self, keep: Callable[[str, dict], bool]) -> AttributeMapper:
        """A mapper with only the rules `keep(attribute, rule)` accepts (a variation parent's),
        sharing this one's shaped values: the parent's brand and texts are the children's."""
        narrower = copy.copy(self)
        narrower.steps = [step for step in self.steps if keep(step[0], step[1])]
        narrower.rules = {step[0]: step[1] for step in narrower.steps}
        return narrower

    def map(self, product: dict, variant: dict) -> tuple[dict, list[Problem]]:
        """Attributes for one variant, and the values that could not be mapped."""
        attributes: dict[str, list[dict]] = {}
        problems: list[Problem] = []
        market, schema, texts, previous = self.market, self.schema, self.texts, self._previous
        for attribute, rule, resolve, fixed in self.steps:
            if resolve is None:
                if isinstance(fixed, str):
                    problems.append(_unmappable(attribute, fixed, schema, market))
                elif fixed:
                    attributes[attribute] = _fresh(*fixed)
                continue
            try:
                raw = resolve(product, variant, texts)
                if raw in EMPTY:
                    continue
                last = previous.get(attribute)
                if last is not None and last[1] is raw and last[0] is rule:
                    entries = _fresh(last[2], last[3])  # the same store value as before
                else:
                    entries = shape(attribute, raw, schema, market, rule)
                    flat = _is_flat(entries)
                    previous[attribute] = (rule, raw, _fresh(entries, flat), flat)
            except MAPPING_ERRORS as exc:
                problems.append(_unmappable(attribute, str(exc), schema, market))
                continue
            if entries:
                attributes[attribute] = entries
        return attributes, problems


def map_attributes(
    product: dict,
    variant: dict,
    rules: dict[str, dict],
    market: Marketplace,
    schema: ProductTypeSchema,
    texts: Texts,
) -> tuple[dict, list[Problem]]:
    """Attributes for one variant in one marketplace, and the values that could not be mapped.

    Only attributes the product type knows are produced; a rule whose source is empty for this
    product produces nothing (the validator then names what is missing).
    """
    return AttributeMapper(rules, market, schema, texts).map(product, variant)


def _unmappable(
    attribute: str, reason: str, schema: ProductTypeSchema, market: Marketplace
) -> Problem:
    return Problem(
        attribute,
        market.id,
        "unmappable",
        say(
            N_("%(attribute)s for %(site)s: %(reason)s"),
            attribute=attribute,
            site=market.site,
            reason=reason,
        ),
        say(
            N_("Correct the store value or change the rule for %(attribute)s."), attribute=attribute
        ),
        severity=WARNING if attribute not in schema.required else "error",
        path=attribute,
    )
