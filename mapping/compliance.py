"""Compliance hints: what a marketplace's schema asks about safety, marking, batteries, hazmat.

The validator says *that* an attribute is missing; these hints say *why Amazon asks* and what a
seller usually answers, for the attributes the schema of this marketplace actually has.
"""

from __future__ import annotations

from mapping.marketplaces import Marketplace
from mapping.messages import N_, say
from mapping.problems import INFO, WARNING, Problem
from mapping.schema_validation import ProductTypeSchema

EU_GPSR = {"DE", "FR", "IT", "ES", "NL", "BE", "IE", "SE", "PL"}

HINTS = {  # (why Amazon asks, what a seller usually answers) per attribute
    "gpsr_manufacturer_reference": (
        N_(
            "The EU General Product Safety Regulation (GPSR) needs a manufacturer or EU "
            "responsible person contact (e-mail or URL) for products sold on %(site)s."
        ),
        N_("Add the manufacturer's e-mail or URL (metafield amazon.gpsr_manufacturer)."),
    ),
    "gpsr_safety_attestation": (
        N_(
            "Under GPSR, %(site)s asks you to attest that the product is safe to use without "
            "further warnings, or to provide the warnings and safety information."
        ),
        N_("Set gpsr_safety_attestation, or upload safety information."),
    ),
    "supplier_declared_dg_hz_regulation": (
        N_(
            "%(site)s asks every seller to declare whether the product is dangerous goods "
            "(batteries, aerosols, flammable liquids...); hazmat needs a safety data sheet (SDS)."
        ),
        N_("Declare 'not_applicable' for ordinary goods, or GHS/transportation with an SDS URL."),
    ),
    "batteries_required": (
        N_(
            "%(site)s asks whether batteries are required or included; lithium batteries need "
            "their cell composition, packaging and watt-hours."
        ),
        N_("Set batteries_required (and battery details when true)."),
    ),
    "list_price": (
        N_(
            "%(site)s shows a list price (recommended retail price) beside your price; where the "
            "schema asks for it, listings without it are rejected."
        ),
        N_("Fill the compare-at price in the store or set a list price rule."),
    ),
}
MARKING_WORDS = (
    ("ukca", {"GB"}, N_("UKCA marking is required for many goods sold in Great Britain")),
    ("ce", EU_GPSR, N_("CE marking is required for many goods sold in the EU")),
    ("certificate", None, N_("%(site)s asks for a compliance certificate")),
)


def compliance_hints(
    schema: ProductTypeSchema, attributes: dict, market: Marketplace, problems: list[Problem]
) -> list[Problem]:
    """Hints for the compliance attributes this schema has and this listing lacks or flags."""
    missing = {p.attribute for p in problems if p.code == "missing"}
    hints: list[Problem] = []
    for attribute, (why, fix) in HINTS.items():
        if attribute in attributes or attribute not in schema.properties:
            continue
        if attribute.startswith("gpsr_") and market.country not in EU_GPSR:
            continue
        severity = WARNING if attribute in missing or attribute.startswith("gpsr_") else INFO
        hints.append(
            Problem(
                attribute,
                market.id,
                "compliance",
                say(why, site=market.site),
                say(fix),
                severity=severity,
                path=attribute,
            )
        )
    for name, _word, countries, why in _marking_attributes(schema):
        if countries is not None and market.country not in countries:
            continue
        if name in missing:
            hints.append(
                Problem(
                    name,
                    market.id,
                    "compliance",
                    say(
                        N_("%(why)s (%(attribute)s)."),
                        why=say(why, site=market.site),
                        attribute=name,
                    ),
                    say(
                        N_("Provide %(attribute)s with the certificate or marking details."),
                        attribute=name,
                    ),
                    severity=WARNING,
                    path=name,
                )
            )
    return hints


def _marking_attributes(schema: ProductTypeSchema) -> list[tuple]:
    """(attribute, word, countries, why) for marking/certificate attributes, once per schema."""
    cached = schema.memo.get("marking")
    if cached is None:
        cached = [
            (name, word, countries, why)
            for name in schema.properties
            for word, countries, why in MARKING_WORDS
            if word in name.split("_")
        ]
        schema.memo["marking"] = cached
    return cached
