"""Validation problems in a seller's words, translated from jsonschema's errors.

One `Problem` per thing to fix: the attribute, the marketplace, what is wrong and what would fix
it. A missing attribute that several rules ask for (top-level `required` and a conditional) is
reported once; attributes that are alternatives to each other (a GTIN or a suggested ASIN) are
reported once, naming both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from mapping.marketplaces import site_name

ERROR, WARNING, INFO = "error", "warning", "info"

# Why Amazon asks for some attributes, in words a seller recognises.
REASONS = {
    "gpsr_manufacturer_reference": "the manufacturer's contact for product safety (GPSR)",
    "gpsr_safety_attestation": "a product safety attestation (GPSR)",
    "supplier_declared_dg_hz_regulation": "a dangerous-goods declaration (batteries, liquids...)",
    "externally_assigned_product_identifier": "a product identifier (GTIN: EAN, UPC or JAN)",
    "merchant_suggested_asin": "the ASIN of an existing Amazon product",
    "batteries_required": "whether the product needs batteries",
    "battery": "the battery type and composition",
    "list_price": "a list price (recommended retail price)",
    "country_of_origin": "the country the product was made in",
    "recommended_browse_nodes": "an Amazon category (browse node)",
    "ce_mark": "CE marking",
    "ukca_mark": "UKCA marking",
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix before a listing can be sent to one marketplace."""

    attribute: str
    marketplace_id: str | None
    code: str
    message: str
    fix: str
    severity: str = ERROR
    path: str = ""
    alternatives: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "attribute": self.attribute, "marketplace_id": self.marketplace_id,
            "code": self.code, "message": self.message, "fix": self.fix,
            "severity": self.severity, "path": self.path,
            "alternatives": list(self.alternatives),
        }


def attribute_label(schema: dict, attribute: str) -> str:
    """"Brand Name (brand)": the schema's title beside the attribute name Amazon uses."""
    title = (schema.get("properties", {}).get(attribute) or {}).get("title")
    return f"{title} ({attribute})" if title and title != attribute else attribute


def _what(attribute: str, schema: dict) -> str:
    reason = REASONS.get(attribute)
    return f"{reason}: {attribute}" if reason else attribute_label(schema, attribute)


def _conditions(schema: dict, error: ValidationError) -> tuple[set[str], set[str]]:
    """Attributes the triggering `if` looked at, and those it needed absent (alternatives)."""
    path = list(error.schema_path)
    if "then" not in path:
        return set(), set()
    node: Any = schema
    for part in path[: len(path) - 1 - path[::-1].index("then")]:
        node = node[part]
    looked, absent = set(), set()
    _collect(node.get("if", {}), looked, absent, negated=False)
    return looked, absent


def _collect(node: Any, looked: set, absent: set, negated: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, looked, absent, negated)
        return
    if not isinstance(node, dict):
        return
    for name in node.get("required", []):
        looked.add(name)
        if negated:
            absent.add(name)
    looked.update(node.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        _collect(node.get(key, []), looked, absent, negated)
    if "not" in node:
        _collect(node["not"], looked, absent, not negated)


def _missing_property(error: ValidationError) -> str | None:
    for prop in error.validator_value or ():
        if isinstance(error.instance, dict) and prop not in error.instance:
            if error.message.startswith(repr(prop)):
                return prop
    return None


def _leaf(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the branch error that best explains what is wrong."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        error = best_match(error.context)
    return error


def describe(errors: Iterable[ValidationError], schema: dict, marketplace_id: str | None,
             product_type: str = "") -> list[Problem]:
    """Turn jsonschema errors into deduplicated seller-facing problems."""
    site = site_name(marketplace_id)
    kind = f" for a {product_type} product" if product_type else ""
    problems: dict[tuple, Problem] = {}
    absent_rules: dict[str, set[str]] = {}
    for raw in errors:
        error = _leaf(raw)
        path = [str(p) for p in error.absolute_path]
        attribute = path[0] if path else ""
        problem: Problem | None = None
        if error.validator == "required":
            prop = _missing_property(error)
            if prop is None:
                continue
            looked, absent = _conditions(schema, error)
            if not path:
                attribute = prop
                because = sorted(looked - {prop})
                why = f" because of {', '.join(because)}" if because and not absent else ""
                absent_rules.setdefault(prop, set()).update(absent)
                problem = Problem(prop, marketplace_id, "missing",
                                  f"{site} needs {_what(prop, schema)}{kind}{why}.",
                                  f"Map a value for {prop} in the mapping profile.",
                                  path=prop)
            else:
                where = "/".join([*path, prop])
                problem = Problem(attribute, marketplace_id, "missing",
                                  f"{site} needs '{prop}' in {attribute_label(schema, attribute)}.",
                                  f"Add {prop} to {attribute}.", path=where)
        elif error.validator == "not":
            banned = [p for p in (error.validator_value or {}).get("required", [])
                      if isinstance(error.instance, dict) and p in error.instance]
            target = banned[0] if banned else attribute
            problem = Problem(attribute or target, marketplace_id, "not_allowed",
                              f"{site} does not accept {target} together with the other values "
                              f"given{f' in {attribute}' if attribute else ''}.",
                              f"Remove {target}.", path="/".join([*path, target]))
        else:
            problem = _value_problem(error, schema, site, marketplace_id, attribute, path)
        key = (problem.path, problem.code)
        problems.setdefault(key, problem)
    return _merge_alternatives(list(problems.values()), absent_rules)


def _value_problem(error: ValidationError, schema: dict, site: str, marketplace_id: str | None,
                   attribute: str, path: list[str]) -> Problem:
    label = attribute_label(schema, attribute) if attribute else "the listing"
    where = "/".join(path)
    value = error.instance
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    v, limit = error.validator, error.validator_value
    if v in ("enum", "const"):
        allowed = limit if v == "enum" else [limit]
        names = error.schema.get("enumNames") or allowed
        listed = ", ".join(str(a) for a in allowed[:8]) + (" ..." if len(allowed) > 8 else "")
        return Problem(attribute, marketplace_id, "invalid_value",
                       f"{site} does not accept {shown} for {label}.",
                       f"Choose one of: {listed}" + (f" ({', '.join(map(str, names[:8]))})"
                                                     if names is not allowed else ""),
                       path=where)
    if v in ("maxUtf8ByteLength", "maxLength"):
        unit = "bytes in UTF-8" if v == "maxUtf8ByteLength" else "characters"
        size = len(value.encode()) if v == "maxUtf8ByteLength" else len(value)
        return Problem(attribute, marketplace_id, "too_long",
                       f"{label} is {size} {unit} on {site}; at most {limit} are allowed.",
                       f"Shorten {attribute} to {limit} {unit} (CJK characters count 3 bytes).",
                       path=where)
    if v in ("minUtf8ByteLength", "minLength"):
        return Problem(attribute, marketplace_id, "too_short",
                       f"{label} is too short for {site} (at least {limit}).",
                       f"Lengthen {attribute}.", path=where)
    if v in ("maxUniqueItems", "maxItems"):
        return Problem(attribute, marketplace_id, "too_many_values",
                       f"{site} accepts at most {limit} value(s) for {label} "
                       f"per {', '.join(error.schema.get('selectors') or ['attribute'])}.",
                       f"Keep one value for {attribute} per marketplace and language.",
                       path=where)
    if v in ("minUniqueItems", "minItems"):
        return Problem(attribute, marketplace_id, "too_few_values",
                       f"{site} needs at least {limit} value(s) for {label}.",
                       f"Add values to {attribute}.", path=where)
    if v == "type":
        return Problem(attribute, marketplace_id, "wrong_type",
                       f"{label} must be {limit} on {site}, not {shown}.",
                       f"Map a {limit} value to {attribute}.", path=where)
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return Problem(attribute, marketplace_id, "out_of_range",
                       f"{shown} is out of range for {label} on {site} ({v} {limit}).",
                       f"Use a value that meets {v} {limit}.", path=where)
    if v == "additionalProperties":
        return Problem(attribute or "attributes", marketplace_id, "unknown_attribute",
                       f"{site} does not know {error.message.split('(')[-1].rstrip(')')}.",
                       "Remove it or map it to an attribute of this product type.", path=where)
    return Problem(attribute, marketplace_id, "invalid",
                   f"{label} is not accepted by {site}: {error.message[:200]}",
                   f"Correct {attribute or 'the listing'}.", path=where)


def _merge_alternatives(problems: list[Problem], absent_rules: dict[str, set[str]]) -> list[Problem]:
    """Fold "X or Y is needed" pairs (each required only when the other is absent) into one."""
    missing = {p.attribute: p for p in problems if p.code == "missing" and p.path == p.attribute}
    dropped: set[str] = set()
    merged: dict[str, Problem] = {}
    for name, problem in missing.items():
        if name in dropped:
            continue
        partners = [o for o in missing if o != name and o not in dropped
                    and o in absent_rules.get(name, ()) and name in absent_rules.get(o, ())]
        if partners:
            dropped.update(partners)
            either = " or ".join([name, *partners])
            merged[name] = Problem(
                name, problem.marketplace_id, "missing",
                f"{problem.message.rstrip('.')} (or instead: {', '.join(partners)}).",
                f"Map {either}.", path=name, alternatives=tuple(partners))
    return [merged.get(p.attribute, p) for p in problems
            if not (p.code == "missing" and p.path == p.attribute and p.attribute in dropped)]
