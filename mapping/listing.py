"""From one store variant to one Amazon listing plan per marketplace, never raising on bad data.

`build_listing()` maps, prices and validates one SKU for one marketplace and returns a
`ListingPlan`: the exact putListingsItem body plus every problem, price breakdown and hint.
`build_listings()` does a whole product, parent first when it has variations.
"""

from __future__ import annotations

from marshmallow import ValidationError

from mapping.attributes import AttributeMapper
from mapping.canonical import load_product
from mapping.compliance import compliance_hints
from mapping.fx import RatesTable
from mapping.listing_plan import ListingPlan
from mapping.marketplaces import Marketplace, marketplace
from mapping.messages import N_, say
from mapping.offers import offer_attributes
from mapping.parents import build_parent
from mapping.payloads import LISTING, OFFER_ATTRIBUTES, OFFER_ONLY, offer_only_attributes, put_body
from mapping.problems import Problem
from mapping.profiles import MappingProfile, explain_missing
from mapping.schema_validation import ProductTypeSchema
from mapping.texts import Texts, texts_for
from mapping.variations import VariationFamily, child_attributes, plan_family


def _data_problems(error: ValidationError, market_id: str) -> list[Problem]:
    def flatten(messages, prefix=""):
        if isinstance(messages, dict):
            for key, value in messages.items():
                yield from flatten(value, f"{prefix}/{key}" if prefix else str(key))
        else:
            yield (
                prefix,
                "; ".join(map(str, messages if isinstance(messages, list) else [messages])),
            )

    return [
        Problem(
            "product",
            market_id,
            "bad_product_data",
            say(
                N_("The store product has an unusable value at %(where)s: %(reason)s"),
                where=where,
                reason=text,
            ),
            say(N_("Correct the product in the store; it will be read again.")),
            path=where,
        )
        for where, text in flatten(error.messages)
    ]


def build_listing(
    product: dict,
    variant: dict | None,
    profile: MappingProfile,
    marketplace_or_id: Marketplace | str,
    schema: ProductTypeSchema,
    rates: RatesTable,
    *,
    family: VariationFamily | None = None,
    asin: str | None = None,
    checked: bool = False,
    texts: Texts | None = None,
    mapper: AttributeMapper | None = None,
) -> ListingPlan:
    """The listing plan for one SKU (variant) in one marketplace; problems instead of raising.

    `asin` makes an offer on an existing catalogue item (LISTING_OFFER_ONLY). `checked=True`
    skips the canonical-schema load when the caller already loaded the product; `texts` reuses
    the product's texts for this marketplace (they do not depend on the variant), `mapper` the
    product's attribute mapper for this marketplace (made with the profile's rules and texts).
    """
    market = (
        marketplace_or_id
        if isinstance(marketplace_or_id, Marketplace)
        else marketplace(marketplace_or_id)
    )
    sku = str((variant or {}).get("sku") or "") if isinstance(variant, dict) else ""
    try:
        if not checked:
            product = load_product(product)
            variant = next(
                (v for v in product["variants"] if v.get("sku") == sku),
                (product["variants"] or [None])[0],
            )
        return _build(product, variant, profile, market, schema, rates, family, asin, texts, mapper)
    except ValidationError as exc:
        return ListingPlan(sku, market.id, {}, _data_problems(exc, market.id))
    except Exception as exc:  # noqa: BLE001 - a mapper bug must not stop a whole catalogue
        return ListingPlan(
            sku,
            market.id,
            {},
            [
                Problem(
                    "product",
                    market.id,
                    "mapper_error",
                    say(N_("Crossport could not map this SKU: %(error)s"), error=repr(exc)),
                    say(N_("Report this to support; other SKUs are not affected.")),
                )
            ],
        )


def _build(
    product, variant, profile, market, schema, rates, family, asin, texts=None, mapper=None
) -> ListingPlan:
    if variant is None:
        return ListingPlan(
            "",
            market.id,
            {},
            [
                Problem(
                    "sku",
                    market.id,
                    "no_variant",
                    say(N_("The product has no variant to list.")),
                    say(N_("Add a variant with a SKU and a price in the store.")),
                )
            ],
        )
    sku = variant.get("sku") or ""
    problems: list[Problem] = []
    if not sku or len(sku.encode()) > 40:
        problems.append(
            Problem(
                "sku",
                market.id,
                "bad_sku",
                say(
                    N_("SKU %(sku)s cannot be used on %(site)s (1 to 40 bytes)."),
                    sku=repr(sku),
                    site=market.site,
                ),
                say(N_("Give the variant a SKU of at most 40 characters.")),
                path="sku",
            )
        )
    if mapper is None:
        texts = texts or texts_for(product, market, profile.texts)
        mapper = AttributeMapper(profile.rules_for(market.id), market, schema, texts)
    texts, rules = mapper.texts, mapper.rules
    attributes, mapped_problems = mapper.map(product, variant)
    offer, breakdown, offer_problems = offer_attributes(variant, profile, market, schema, rates)
    attributes.update(offer)
    if family is not None and family.theme:
        attributes.update(child_attributes(family, schema, market))
    requirements = LISTING
    if asin:
        requirements = OFFER_ONLY
        attributes = offer_only_attributes(
            attributes, asin, market.id, profile.setting("condition_type", market.id)
        )
    found = schema.validate(attributes, market.id)
    if asin:  # the LISTING schema also asks for product facts the ASIN already has
        found = [p for p in found if p.attribute in OFFER_ATTRIBUTES]
    unmappable = {p.attribute for p in mapped_problems}
    found = [
        explain_missing(p, rules)
        for p in found
        if not (p.code == "missing" and p.attribute in unmappable)
    ]
    problems += mapped_problems + offer_problems + found + texts.problems
    hints = compliance_hints(schema, attributes, market, problems)
    payload = put_body(schema.product_type, attributes, requirements)
    return ListingPlan(
        sku,
        market.id,
        payload,
        problems,
        breakdown,
        hints,
        "child" if family is not None and family.theme else "single",
    )


def plan_product(
    product: dict,
    profile: MappingProfile,
    targets: list[tuple[Marketplace | str, ProductTypeSchema]],
    rates: RatesTable,
    asins: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[ListingPlan]]:
    """Plans for a product in every target marketplace, loading the product once.

    `targets` pairs each marketplace with its compiled schema; `asins` maps marketplace id ->
    {sku: ASIN} for variants that offer on an existing catalogue item.
    """
    try:
        loaded = load_product(product)
    except ValidationError as exc:
        loaded, error = None, exc
    plans: dict[str, list[ListingPlan]] = {}
    for target, schema in targets:
        market = target if isinstance(target, Marketplace) else marketplace(target)
        if loaded is None:
            plans[market.id] = [ListingPlan("", market.id, {}, _data_problems(error, market.id))]
        else:
            plans[market.id] = build_listings(
                loaded, profile, market, schema, rates, (asins or {}).get(market.id), checked=True
            )
    return plans


def build_listings(
    product: dict,
    profile: MappingProfile,
    marketplace_or_id: Marketplace | str,
    schema: ProductTypeSchema,
    rates: RatesTable,
    asins: dict[str, str] | None = None,
    checked: bool = False,
) -> list[ListingPlan]:
    """Plans for every SKU of a product in one marketplace: the parent first, then children."""
    market = (
        marketplace_or_id
        if isinstance(marketplace_or_id, Marketplace)
        else marketplace(marketplace_or_id)
    )
    try:
        loaded = product if checked else load_product(product)
    except ValidationError as exc:
        return [ListingPlan("", market.id, {}, _data_problems(exc, market.id))]
    if not loaded["variants"]:
        return [
            ListingPlan(
                "",
                market.id,
                {},
                [
                    Problem(
                        "sku",
                        market.id,
                        "no_variant",
                        say(N_("The product has no variant to list.")),
                        say(N_("Add a variant with a SKU and a price in the store.")),
                    )
                ],
            )
        ]
    theme = profile.setting("variation_theme", market.id)
    family = plan_family(loaded, schema, market, theme)
    if family is not None and family.theme is None:  # reported, not sent: orphans otherwise
        return [ListingPlan(family.parent_sku, market.id, {}, family.problems, role="parent")]
    try:
        texts = texts_for(loaded, market, profile.texts)
        mapper = AttributeMapper(profile.rules_for(market.id), market, schema, texts)
    except Exception:  # noqa: BLE001 - build_listing reports it per SKU instead
        texts = mapper = None
    plans: list[ListingPlan] = []
    if family is not None:
        try:
            plans.append(build_parent(loaded, family, profile, market, schema, mapper))
        except Exception as exc:  # noqa: BLE001 - same promise as build_listing: never raise
            plans.append(
                ListingPlan(
                    family.parent_sku,
                    market.id,
                    {},
                    [
                        Problem(
                            "product",
                            market.id,
                            "mapper_error",
                            say(N_("Could not map the parent: %(error)s"), error=repr(exc)),
                            say(N_("Report this to support.")),
                        )
                    ],
                    role="parent",
                )
            )
    for variant in loaded["variants"]:
        asin = (asins or {}).get(variant.get("sku") or "")
        plans.append(
            build_listing(
                loaded,
                variant,
                profile,
                market,
                schema,
                rates,
                family=family,
                asin=asin,
                checked=True,
                texts=texts,
                mapper=mapper,
            )
        )
    return plans
