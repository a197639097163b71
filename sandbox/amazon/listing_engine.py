"""How Amazon treats a listing submission: validate, accept, then let the listing mature
(ASIN assigned, BUYABLE, or an issue that appears only after acceptance)."""

from __future__ import annotations

import hashlib
import time

from . import seed
from .marketplaces import Marketplace
from .state import iso, utcnow


def _first(attributes: dict, name: str, key: str = "value"):
    values = attributes.get(name) or []
    return values[0].get(key) if values and isinstance(values[0], dict) else None


def _gtin(attributes: dict) -> str | None:
    return _first(attributes, "externally_assigned_product_identifier")


def valid_gtin(code: str) -> bool:
    """GTIN-8/12/13/14 with a correct check digit (Amazon checks it beyond the schema)."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def validate(
    em,
    seller: str,
    market: Marketplace,
    product_type: str,
    attributes: dict,
    requirements: str = "LISTING",
) -> list[dict]:
    """Every issue Amazon would report before accepting this submission."""
    enforce = requirements != "LISTING_OFFER_ONLY"
    issues = em.schemas.issues(product_type, market, attributes, enforce)
    if issues is None:
        return [{"code": "4000000", "severity": "ERROR", "attributeNames": [],
                 "message": f"The product type '{product_type}' is not valid in {market.name}.",
                 "categories": ["INVALID_ATTRIBUTE"]}]  # fmt: skip
    gtin = _gtin(attributes)
    if gtin is not None and not valid_gtin(str(gtin)):
        issues.append({
            "code": "8560", "severity": "ERROR",
            "attributeNames": ["externally_assigned_product_identifier"],
            "message": f"The product ID '{gtin}' is not a valid EAN, UPC or GTIN.",
            "categories": ["INVALID_ATTRIBUTE"],
        })  # fmt: skip
    brand = _first(attributes, "brand")
    known = seed.CATALOG.get(gtin or "")
    if seed.brand_gated(brand or (known or {}).get("brand"), market.country):
        issues.append({
            "code": "5461", "severity": "ERROR", "attributeNames": ["brand"],
            "message": f"You need approval to list the brand '{brand or known['brand']}' "
                       f"in {market.name}.",
            "categories": ["QUALIFICATION_REQUIRED"],
        })  # fmt: skip
    return issues


def accept(
    em, seller: str, sku: str, market: Marketplace, product_type: str, attributes: dict
) -> dict:
    """Store an accepted submission; the listing matures later (see mature())."""
    key = (seller, sku, market.id)
    now = iso(utcnow())
    listing = em.state.listings.get(key)
    if listing is None:
        listing = em.state.listings[key] = {
            "sku": sku,
            "seller": seller,
            "created": now,
            "marketplaceId": market.id,
            "extra_issues": [],
        }
    listing.update(
        productType=product_type,
        attributes=attributes,
        updated=now,
        accepted_at=time.time(),
        asin=_asin_for(seller, sku, attributes),
    )
    return listing


def _asin_for(seller: str, sku: str, attributes: dict) -> str:
    suggested = _first(attributes, "merchant_suggested_asin")
    if suggested:
        return suggested
    known = seed.CATALOG.get(_gtin(attributes) or "")
    if known:
        return known["asin"]
    digest = hashlib.sha1(f"{seller}/{sku}".encode(), usedforsecurity=False).hexdigest()
    return "B0" + digest[:8].upper()


def mature(em, listing: dict) -> tuple[list[str], list[dict]]:
    """Status and issues of a listing now: nothing while Amazon processes it, then BUYABLE,
    or suppressed with an issue found only after acceptance."""
    ready = listing["accepted_at"] + em.state.scaled(em.state.options.buyable_after_seconds)
    if time.time() < ready:
        return [], list(listing["extra_issues"])
    attributes = listing["attributes"]
    issues: list[dict] = []
    if "main_product_image_locator" not in attributes:
        issues.append({"code": "18027", "severity": "ERROR",
                       "message": "The listing has no main image and is not shown to customers.",
                       "attributeNames": ["main_product_image_locator"],
                       "categories": ["MISSING_IMAGE"]})  # fmt: skip
    known = seed.CATALOG.get(_gtin(attributes) or "")
    brand = _first(attributes, "brand")
    if known and brand and brand.strip().lower() != known["brand"].lower():
        issues.append({"code": "8541", "severity": "ERROR",
                       "message": f"The brand '{brand}' conflicts with the catalog item "
                                  f"{known['asin']} (brand '{known['brand']}') for this GTIN.",
                       "attributeNames": ["brand", "externally_assigned_product_identifier"],
                       "categories": ["INVALID_ATTRIBUTE"]})  # fmt: skip
    issues += listing["extra_issues"]
    if any(i["severity"] == "ERROR" for i in issues):
        return [], issues
    offer = attributes.get("purchasable_offer")
    channel = _first(attributes, "fulfillment_availability", "fulfillment_channel_code")
    quantity = _first(attributes, "fulfillment_availability", "quantity") or 0
    buyable = bool(offer) and (quantity > 0 or (channel or "DEFAULT") != "DEFAULT")
    return (["BUYABLE", "DISCOVERABLE"] if buyable else ["DISCOVERABLE"]), issues


def render(em, listing: dict, included: list[str], market: Marketplace) -> dict:
    """A listing as getListingsItem returns it, with the requested data sets."""
    status, issues = mature(em, listing)
    attributes = listing["attributes"]
    item: dict = {"sku": listing["sku"]}
    if "summaries" in included:
        summary = {
            "marketplaceId": market.id, "productType": listing["productType"], "status": status,
            "createdDate": listing["created"], "lastUpdatedDate": listing["updated"],
            "conditionType": _first(attributes, "condition_type") or "new_new",
        }  # fmt: skip
        if status:
            summary["asin"] = listing["asin"]
        name = _first(attributes, "item_name")
        if name:
            summary["itemName"] = name
        image = _first(attributes, "main_product_image_locator", "media_location")
        if image:
            summary["mainImage"] = {"link": image, "height": 1000, "width": 1000}
        item["summaries"] = [summary]
    if "attributes" in included:
        item["attributes"] = attributes
    if "issues" in included:
        item["issues"] = issues
    if "offers" in included:
        item["offers"] = _offers(attributes, market)
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": fa.get("fulfillment_channel_code", "DEFAULT"),
             **({"quantity": fa["quantity"]} if "quantity" in fa else {})}
            for fa in attributes.get("fulfillment_availability") or []
        ]  # fmt: skip
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": market.id, "productType": listing["productType"]}]
    if "identifiers" in included and status:
        item["identifiers"] = [{"marketplaceId": market.id, "asin": listing["asin"]}]
    return item


def _offers(attributes: dict, market: Marketplace) -> list[dict]:
    offers = []
    for offer in attributes.get("purchasable_offer") or []:
        try:
            price = offer["our_price"][0]["schedule"][0]["value_with_tax"]
        except (KeyError, IndexError, TypeError):
            continue
        offers.append({
            "marketplaceId": market.id,
            "offerType": "B2B" if offer.get("audience") == "B2B" else "B2C",
            "price": {"currencyCode": offer.get("currency", market.currency), "amount": str(price)},
        })  # fmt: skip
    return offers


def apply_patches(
    attributes: dict, patches: list[dict], schema: dict | None = None
) -> tuple[dict, list[dict]]:
    """JSON Patch (add/replace/merge/delete on /attributes/<name>) as Amazon applies it: `replace`
    swaps the whole attribute, `merge` updates only the fields given in the entry that has the
    same selector values (the product type's `selectors`; e.g. a quantity merged into
    fulfillment_availability keeps its lead_time_to_ship_max_days)."""
    result = {k: list(v) if isinstance(v, list) else v for k, v in attributes.items()}
    problems = []
    for patch in patches:
        parts = patch["path"].strip("/").split("/")
        if len(parts) != 2 or parts[0] != "attributes":
            problems.append({"code": "4000003", "severity": "ERROR", "attributeNames": [],
                             "message": f"Unsupported patch path {patch['path']!r}.",
                             "categories": ["INVALID_ATTRIBUTE"]})  # fmt: skip
            continue
        name, op = parts[1], patch["op"]
        if op == "merge":
            result[name] = _merge(result.get(name, []), patch.get("value", []),
                                  _selectors(schema, name))  # fmt: skip
        elif op in ("add", "replace"):
            result[name] = patch.get("value", [])
        elif op == "delete":
            doomed = patch.get("value")
            if not doomed:
                result.pop(name, None)
            else:
                keep = [v for v in result.get(name, []) if not _matches_any(v, doomed)]
                if keep:
                    result[name] = keep
                else:
                    result.pop(name, None)
    return result, problems


# Used when no schema is at hand: the selector fields Amazon's schemas name for offers and stock.
COMMON_SELECTORS = ("fulfillment_channel_code", "marketplace_id", "currency", "audience")


def _selectors(schema: dict | None, name: str) -> tuple[str, ...]:
    declared = ((schema or {}).get("properties", {}).get(name) or {}).get("selectors")
    return tuple(declared) if declared else COMMON_SELECTORS


def _merge(existing: list, values: list, selectors: tuple[str, ...]) -> list:
    merged = [dict(v) if isinstance(v, dict) else v for v in existing]
    for value in values:
        key = tuple(value.get(s) for s in selectors)
        same = next((m for m in merged if isinstance(m, dict)
                     and tuple(m.get(s) for s in selectors) == key), None)  # fmt: skip
        if same is None:
            merged.append(value)
        else:
            same.update(value)
    return merged


def _matches_any(value: dict, doomed: list[dict]) -> bool:
    return any(all(value.get(k) == v for k, v in d.items() if k != "value" or "value" in value)
               for d in doomed)  # fmt: skip
