"""Catalog Items search, Listings Restrictions and FBA inventory summaries."""

from __future__ import annotations

from . import marketplaces, seed
from .dispatch import ApiError, Call
from .state import iso, utcnow

_ID_TYPES = {"EAN", "GTIN", "UPC", "ISBN", "JAN", "ASIN", "SKU"}


def _one_marketplace(call: Call, name: str = "marketplaceIds") -> marketplaces.Marketplace:
    ids = call.marketplace_ids(name)
    market = marketplaces.get(ids[0]) if ids else None
    if market is None or (call.region and market.region != call.region):
        raise ApiError(400, "InvalidInput", f"Invalid marketplaceIds {ids!r} for this endpoint.")
    return market


def _catalog_item(gtin: str, entry: dict, market, included: list[str]) -> dict:
    item: dict = {"asin": entry["asin"]}
    if "summaries" in included:
        item["summaries"] = [
            {"marketplaceId": market.id, "brand": entry["brand"], "itemName": entry["title"]}
        ]
    if "identifiers" in included:
        item["identifiers"] = [
            {"marketplaceId": market.id, "identifiers": [
                {"identifierType": entry["identifierType"], "identifier": gtin}]}
        ]  # fmt: skip
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": market.id, "productType": entry["productType"]}]
    return item


def search_catalog_items(em, call: Call):
    market = _one_marketplace(call)
    included = call.query.get("includedData") or ["summaries"]
    identifiers = call.query.get("identifiers") or []
    id_type = call.query.get("identifiersType")
    if identifiers and id_type not in _ID_TYPES:
        raise ApiError(400, "InvalidInput", "identifiersType is required with identifiers.")
    if len(identifiers) > 20:
        raise ApiError(400, "InvalidInput", "At most 20 identifiers.")
    keywords = [k.lower() for k in call.query.get("keywords") or []]
    items = []
    for gtin, entry in seed.CATALOG.items():
        if identifiers:
            wanted = entry["asin"] if id_type == "ASIN" else gtin
            if not any(_same_code(wanted, i) for i in identifiers):
                continue
        elif keywords and not any(k in entry["title"].lower() for k in keywords):
            continue
        items.append(_catalog_item(gtin, entry, market, included))
    return 200, {"numberOfResults": len(items), "items": items}


def _same_code(known: str, given: str) -> bool:
    """GTIN-12 (UPC) and its GTIN-13 form with a leading zero name the same product."""
    return known.lstrip("0") == given.lstrip("0") if given.isdigit() else known == given


def get_catalog_item(em, call: Call):
    market = _one_marketplace(call)
    entry = seed.catalog_by_asin(call.path["asin"])
    if entry is None:
        raise ApiError(404, "NotFound", f"Requested item '{call.path['asin']}' not found.")
    included = call.query.get("includedData") or ["summaries"]
    return 200, _catalog_item(entry["gtin"], entry, market, included)


def get_listings_restrictions(em, call: Call):
    market = _one_marketplace(call)
    if call.query.get("sellerId") != call.seller:
        raise ApiError(403, "Unauthorized", "sellerId does not match the access token.")
    entry = seed.catalog_by_asin(call.query["asin"])
    condition = call.query.get("conditionType", "new_new")
    restriction = {"marketplaceId": market.id, "conditionType": condition, "reasons": []}
    if entry is None:
        restriction["reasons"].append(
            {"message": "ASIN not found in the catalog of this marketplace.",
             "reasonCode": "ASIN_NOT_FOUND"})  # fmt: skip
    elif seed.brand_gated(entry["brand"], market.country):
        restriction["reasons"].append({
            "message": f"You need approval to list {entry['brand']} products in {market.name}.",
            "reasonCode": "APPROVAL_REQUIRED",
            "links": [{"resource": f"https://sellercentral.{market.domain[4:]}/hz/approvalrequest"
                       f"?asin={entry['asin']}", "verb": "GET", "title": "Request approval",
                       "type": "text/html"}],
        })  # fmt: skip
    restrictions = [restriction] if restriction["reasons"] else []
    return 200, {"restrictions": restrictions}


def get_inventory_summaries(em, call: Call):
    if call.query.get("granularityType") != "Marketplace":
        raise ApiError(400, "InvalidInput", "granularityType must be Marketplace.")
    market = _one_marketplace(call)
    if call.query.get("granularityId") != market.id:
        raise ApiError(400, "InvalidInput", "granularityId must be the marketplace id.")
    wanted = set(call.query.get("sellerSkus") or [])
    rows = [
        row for (seller, mkt, sku), row in sorted(em.state.inventory.items())
        if seller == call.seller and mkt == market.id and (not wanted or sku in wanted)
    ]  # fmt: skip
    details = call.query.get("details") is True
    summaries = []
    for row in rows:
        summary = {
            "asin": row["asin"], "fnSku": row["fnSku"], "sellerSku": row["sku"],
            "condition": "NewItem", "lastUpdatedTime": row["updated"],
            "productName": row["name"], "totalQuantity": row["quantity"],
        }  # fmt: skip
        if details:
            summary["inventoryDetails"] = {
                "fulfillableQuantity": row["quantity"], "inboundWorkingQuantity": 0,
                "inboundShippedQuantity": 0, "inboundReceivingQuantity": 0,
            }  # fmt: skip
        summaries.append(summary)
    payload = {
        "granularity": {"granularityType": "Marketplace", "granularityId": market.id},
        "inventorySummaries": summaries,
    }
    return 200, {"payload": payload, "pagination": {}}


def set_inventory(
    state,
    seller: str,
    marketplace_id: str,
    sku: str,
    quantity: int,
    asin: str | None = None,
    name: str = "",
) -> dict:
    """Control: put FBA stock for a SKU in a marketplace."""
    row = {"sku": sku, "asin": asin or "B0FBA" + sku[:5].upper().ljust(5, "X"),
           "fnSku": "X00" + sku[:7].upper().ljust(7, "0"), "quantity": int(quantity),
           "name": name or sku, "updated": iso(utcnow())}  # fmt: skip
    state.inventory[(seller, marketplace_id, sku)] = row
    return row


HANDLERS = {
    "searchCatalogItems": search_catalog_items,
    "getCatalogItem": get_catalog_item,
    "getListingsRestrictions": get_listings_restrictions,
    "getInventorySummaries": get_inventory_summaries,
}
