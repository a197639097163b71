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
from mapping.messages import N_, Message, say
from mapping.problem_wording import attribute_label, value_wording

ERROR, WARNING, INFO = "error", "warning", "info"

# Present in nearly every conditional ("unless this is a parent or an offer-less item"): naming
# them as the reason would explain nothing.
STRUCTURAL = frozenset({"parentage_level", "skip_offer", "child_parent_sku_relationship"})

# Why Amazon asks for some attributes, in words a seller recognises.
REASONS = {
    "gpsr_manufacturer_reference": N_("the manufacturer's contact for product safety (GPSR)"),
    "gpsr_safety_attestation": N_("a product safety attestation (GPSR)"),
    "supplier_declared_dg_hz_regulation": N_(
        "a dangerous-goods declaration (batteries, liquids...)"
    ),
    "externally_assigned_product_identifier": N_("a product identifier (GTIN: EAN, UPC or JAN)"),
    "merchant_suggested_asin": N_("the ASIN of an existing Amazon product"),
    "batteries_required": N_("whether the product needs batteries"),
    "battery": N_("the battery type and composition"),
    "list_price": N_("a list price (recommended retail price)"),
    "country_of_origin": N_("the country the product was made in"),
    "recommended_browse_nodes": N_("an Amazon category (browse node)"),
    "ce_mark": N_("CE marking"),
    "ukca_mark": N_("UKCA marking"),
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix before a listing can be sent to one marketplace.

    `message` and `fix` may be given as `Message`s: the problem then keeps them (`text`,
    `fix_text`) for the page to render in the reader's language, and their English as text.
    """

    attribute: str
    marketplace_id: str | None
    code: str
    message: str
    fix: str
    severity: str = ERROR
    path: str = ""
    alternatives: tuple[str, ...] = field(default=())
    text: Message | None = field(default=None, compare=False)
    fix_text: Message | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for plain, kept in (("message", "text"), ("fix", "fix_text")):
            value = getattr(self, plain)
            if isinstance(value, Message):
                object.__setattr__(self, kept, value)
                object.__setattr__(self, plain, value.render())

    def to_dict(self) -> dict:
        found = {
            "attribute": self.attribute,
            "marketplace_id": self.marketplace_id,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "severity": self.severity,
            "path": self.path,
            "alternatives": list(self.alternatives),
        }
        if self.text is not None:
            found["text"] = self.text.to_dict()
        if self.fix_text is not None:
            found["fix_text"] = self.fix_text.to_dict()
        return found


def _what(attribute: str, schema: dict) -> Message | str:
    reason = REASONS.get(attribute)
    if reason:
        return say(N_("%(reason)s: %(attribute)s"), reason=say(reason), attribute=attribute)
    return attribute_label(schema, attribute)


def _needs(site: str, what: Message | str, product_type: str, because: str = "") -> Message:
    """ "Amazon.de needs X for a HOME product because of Y." (the parts that apply)."""
    if product_type and because:
        template = N_(
            "%(site)s needs %(what)s for a %(product_type)s product because of %(because)s."
        )
    elif product_type:
        template = N_("%(site)s needs %(what)s for a %(product_type)s product.")
    elif because:
        template = N_("%(site)s needs %(what)s because of %(because)s.")
    else:
        template = N_("%(site)s needs %(what)s.")
    return say(template, site=site, what=what, product_type=product_type, because=because)


def _needs_either(site: str, what: Message | str, product_type: str, others: str) -> Message:
    if product_type:
        template = N_(
            "%(site)s needs %(what)s for a %(product_type)s product (or instead: %(others)s)."
        )
    else:
        template = N_("%(site)s needs %(what)s (or instead: %(others)s).")
    return say(template, site=site, what=what, product_type=product_type, others=others)


def _not_accepted(site: str, target: str, attribute: str, because: str) -> Message:
    inside = attribute and attribute != target
    if inside and because:
        template = N_(
            "%(site)s does not accept %(target)s in %(attribute)s because of %(because)s."
        )
    elif inside:
        template = N_("%(site)s does not accept %(target)s in %(attribute)s.")
    elif because:
        template = N_("%(site)s does not accept %(target)s because of %(because)s.")
    else:
        template = N_("%(site)s does not accept %(target)s.")
    return say(template, site=site, target=target, attribute=attribute, because=because)


def _conditions(schema: dict, error: ValidationError) -> tuple[set[str], set[str]]:
    """Attributes the triggering `if` looked at, and those it needed absent (alternatives)."""
    path = list(error.schema_path)
    branch = max((i for i, part in enumerate(path) if part in ("then", "else")), default=-1)
    if branch < 0:
        return set(), set()
    node: Any = schema
    for part in path[:branch]:
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


def describe(
    errors: Iterable[ValidationError],
    schema: dict,
    marketplace_id: str | None,
    product_type: str = "",
) -> list[Problem]:
    """Turn jsonschema errors into deduplicated seller-facing problems."""
    site = site_name(marketplace_id)
    problems: dict[tuple, Problem] = {}
    absent_rules: dict[str, set[str]] = {}
    whys: dict[str, str] = {}
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
                because = sorted(looked - {prop} - STRUCTURAL)
                if because:
                    whys.setdefault(prop, ", ".join(because))
                absent_rules.setdefault(prop, set()).update(absent)
                problem = Problem(
                    prop,
                    marketplace_id,
                    "missing",
                    _needs(site, _what(prop, schema), product_type),
                    say(
                        N_("Map a value for %(attribute)s in the mapping profile."), attribute=prop
                    ),
                    path=prop,
                )
            else:
                where = "/".join([*path, prop])
                problem = Problem(
                    attribute,
                    marketplace_id,
                    "missing",
                    say(
                        N_("%(site)s needs '%(property)s' in %(label)s."),
                        site=site,
                        property=prop,
                        label=attribute_label(schema, attribute),
                    ),
                    say(
                        N_("Add %(property)s to %(attribute)s."), property=prop, attribute=attribute
                    ),
                    path=where,
                )
        elif error.validator == "not":
            banned = [
                p
                for p in (error.validator_value or {}).get("required", [])
                if isinstance(error.instance, dict) and p in error.instance
            ]
            target = banned[0] if banned else attribute
            looked = sorted(_conditions(schema, error)[0] - {target} - STRUCTURAL)
            problem = Problem(
                attribute or target,
                marketplace_id,
                "not_allowed",
                _not_accepted(site, target, attribute, ", ".join(looked)),
                say(N_("Remove %(target)s."), target=target),
                path="/".join([*path, target]),
            )
        else:
            code, message, fix = value_wording(error, schema, site, attribute)
            problem = Problem(
                attribute or ("attributes" if code == "unknown_attribute" else ""),
                marketplace_id,
                code,
                message,
                fix,
                path="/".join(path),
            )
        key = (problem.path, problem.code)
        problems.setdefault(key, problem)
    return _merge_alternatives(list(problems.values()), absent_rules, whys, product_type)


def _merge_alternatives(
    problems: list[Problem],
    absent_rules: dict[str, set[str]],
    whys: dict[str, str],
    product_type: str = "",
) -> list[Problem]:
    """Fold "X or Y is needed" pairs (each required only when the other is absent) into one."""
    missing = {p.attribute: p for p in problems if p.code == "missing" and p.path == p.attribute}
    dropped: set[str] = set()
    merged: dict[str, Problem] = {}
    for name, problem in missing.items():
        if name in dropped:
            continue
        partners = [
            o
            for o in missing
            if o != name
            and o not in dropped
            and o in absent_rules.get(name, ())
            and name in absent_rules.get(o, ())
        ]
        params = problem.text.params if problem.text is not None else {}
        site, what = params.get("site", ""), params.get("what", name)
        if partners:
            dropped.update(partners)
            merged[name] = Problem(
                name,
                problem.marketplace_id,
                "missing",
                _needs_either(site, what, product_type, ", ".join(partners)),
                say(
                    N_("Map %(attribute)s or %(others)s."),
                    attribute=name,
                    others=" or ".join(partners),
                ),
                path=name,
                alternatives=tuple(partners),
            )
        elif name in whys:
            merged[name] = Problem(
                name,
                problem.marketplace_id,
                "missing",
                _needs(site, what, product_type, whys[name]),
                problem.fix_text or problem.fix,
                problem.severity,
                problem.path,
            )
    return [
        merged.get(p.attribute, p) if p.path == p.attribute else p
        for p in problems
        if not (p.code == "missing" and p.path == p.attribute and p.attribute in dropped)
    ]
