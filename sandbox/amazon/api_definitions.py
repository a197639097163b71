"""Product Type Definitions: searchDefinitionsProductTypes and getDefinitionsProductType."""

from __future__ import annotations

from .api_catalog import _one_marketplace
from .dispatch import ApiError, Call

VERSION = {"version": "UAAAAAAAAAAAAAAAAAAAACROSSPORT", "latest": True, "releaseCandidate": False}

# Amazon groups attributes for display; these follow the groups of the LUGGAGE envelope example.
_GROUPS = {
    "offer": ("Offer", "Product Offer", (
        "purchasable_offer", "list_price", "condition_type", "condition_note",
        "fulfillment_availability", "merchant_shipping_group", "max_order_quantity")),
    "images": ("Images", "Physical images or URLs", (
        "main_product_image_locator", "other_product_image_locator_1",
        "other_product_image_locator_2", "swatch_product_image_locator")),
    "shipping": ("Shipping", "Shipping and storage of your product", (
        "item_dimensions", "item_package_dimensions", "item_package_weight")),
    "variations": ("Variations", "Variations that product will use", (
        "parentage_level", "child_parent_sku_relationship", "variation_theme")),
    "safety_and_compliance": ("Safety & Compliance", "Compliance, hazardous materials, safety", (
        "country_of_origin", "batteries_required", "battery", "supplier_declared_dg_hz_regulation",
        "gpsr_safety_attestation", "gpsr_manufacturer_reference", "safety_data_sheet_url")),
    "product_identity": ("Product Identity", "Information to uniquely identify your product", (
        "item_name", "brand", "externally_assigned_product_identifier", "merchant_suggested_asin",
        "supplier_declared_has_product_identifier_exemption", "item_type_keyword",
        "model_number", "manufacturer")),
}  # fmt: skip


def search_definitions_product_types(em, call: Call):
    market = _one_marketplace(call)
    keywords = [k.lower() for k in call.query.get("keywords") or []]
    item_name = (call.query.get("itemName") or "").lower()
    found = []
    for name in em.schemas.product_types(market):
        words = [name.lower(), *em.schemas.keywords(name)]
        terms = keywords + ([w for w in item_name.split() if w] if item_name else [])
        if terms and not any(t in w or w in t for t in terms for w in words):
            continue
        found.append(
            {
                "name": name,
                "displayName": em.schemas.display_name(name, market),
                "marketplaceIds": [market.id],
            }
        )
    return 200, {"productTypes": found, "productTypeVersion": VERSION["version"]}


def get_definitions_product_type(em, call: Call):
    market = _one_marketplace(call)
    name = call.path["productType"]
    schema = em.schemas.get(name, market)
    if schema is None:
        raise ApiError(404, "NotFound", f"Product type {name} is not available in {market.name}.")
    locale = call.query.get("locale") or "DEFAULT"
    locale = market.language if locale == "DEFAULT" else locale
    properties = set(schema.get("properties", {}))
    groups, grouped = {}, set()
    for key, (title, description, names) in _GROUPS.items():
        present = [n for n in names if n in properties]
        if present:
            groups[key] = {"title": title, "description": description, "propertyNames": present}
            grouped |= set(present)
    rest = sorted(properties - grouped)
    if rest:
        groups["product_details"] = {
            "title": "Product Details",
            "description": "Information to describe the product",
            "propertyNames": rest,
        }
    base = call.base_url
    return 200, {
        "metaSchema": {"link": {"resource": f"{base}/_schemas/meta-schema.json", "verb": "GET"},
                       "checksum": "meta-schema-v1"},
        "schema": {"link": {"resource": f"{base}/_schemas/{name}/{market.id}.json", "verb": "GET"},
                   "checksum": em.schemas.checksum(name, market)},
        "requirements": call.query.get("requirements") or "LISTING",
        "requirementsEnforced": call.query.get("requirementsEnforced") or "ENFORCED",
        "propertyGroups": groups,
        "locale": locale,
        "marketplaceIds": [market.id],
        "productType": name,
        "displayName": em.schemas.display_name(name, market),
        "productTypeVersion": VERSION,
    }  # fmt: skip


HANDLERS = {
    "searchDefinitionsProductTypes": search_definitions_product_types,
    "getDefinitionsProductType": get_definitions_product_type,
}
