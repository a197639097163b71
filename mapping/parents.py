"""The parent SKU of a variation family: shared product facts, the theme, no offer."""

from __future__ import annotations

from mapping.attributes import AttributeMapper
from mapping.listing_plan import ListingPlan
from mapping.marketplaces import Marketplace
from mapping.payloads import OFFER_ATTRIBUTES, put_body
from mapping.profiles import MappingProfile, explain_missing
from mapping.schema_validation import ProductTypeSchema
from mapping.texts import texts_for
from mapping.variations import VariationFamily, parent_attributes

# Facts that belong to one variant, never to the family's parent.
VARIANT_ONLY = frozenset(
    {
        "externally_assigned_product_identifier",
        "merchant_suggested_asin",
        "model_number",
        "part_number",
        "item_weight",
        "item_package_weight",
        "item_package_dimensions",
        "supplier_declared_has_product_identifier_exemption",
    }
)


def _parent_rule(attribute: str, rule: dict) -> bool:
    return (
        attribute not in VARIANT_ONLY
        and attribute not in OFFER_ATTRIBUTES
        and rule.get("source") not in ("option", "identifier")
    )


def build_parent(
    product: dict,
    family: VariationFamily,
    profile: MappingProfile,
    market: Marketplace,
    schema: ProductTypeSchema,
    mapper: AttributeMapper | None = None,
) -> ListingPlan:
    """The parent SKU's plan: product facts shared by the family, no offer, no options.

    `mapper` is the children's attribute mapper when the caller has one (same texts, and the
    values they share are shaped once)."""
    first = (product.get("variants") or [{}])[0]
    if mapper is None:
        texts = texts_for(product, market, profile.texts)
        mapper = AttributeMapper(profile.rules_for(market.id), market, schema, texts)
    mapper = mapper.subset(_parent_rule)
    rules = mapper.rules
    attributes, problems = mapper.map(product, {**first, "options": {}})
    attributes.update(parent_attributes(family, schema, market))
    # Some product types want the relationship type on the parent too (without parent_sku).
    related = {
        **attributes,
        "child_parent_sku_relationship": [
            {"child_relationship_type": "variation", "marketplace_id": market.id}
        ],
    }
    if schema.is_valid(attributes):
        found = []
    elif schema.is_valid(related):
        attributes, found = related, []
    else:
        found = schema.validate(attributes, market.id)
        if any(
            p.attribute == "child_parent_sku_relationship" and p.code == "missing" for p in found
        ):
            attributes = related
            found = schema.validate(attributes, market.id)
    problems += [explain_missing(p, rules) for p in found] + family.problems
    return ListingPlan(
        family.parent_sku,
        market.id,
        put_body(schema.product_type, attributes),
        problems,
        role="parent",
    )
