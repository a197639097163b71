"""Catalog Items and Listings Restrictions: does a GTIN already have an ASIN, may we list it?"""

from __future__ import annotations

from sp_api.api import CatalogItems, ListingsRestrictions

from .client import SpApiClient


def asins_for_identifiers(client: SpApiClient, marketplace_id: str, identifiers: list[str],
                          identifier_type: str = "EAN") -> dict[str, dict]:  # fmt: skip
    """identifier -> {asin, brand, itemName} for those already in Amazon's catalogue."""
    api = client.api(CatalogItems, marketplace_id, version="2022-04-01")
    found: dict[str, dict] = {}
    for start in range(0, len(identifiers), 20):
        chunk = identifiers[start : start + 20]
        payload = client.call("searchCatalogItems", lambda chunk=chunk: api.search_catalog_items(
            marketplaceIds=marketplace_id, identifiers=",".join(chunk),
            identifiersType=identifier_type, includedData="identifiers,summaries"),
            marketplace_id=marketplace_id).payload  # fmt: skip
        for item in payload.get("items", []):
            summary = (item.get("summaries") or [{}])[0]
            for group in item.get("identifiers", []):
                for ident in group.get("identifiers", []):
                    match = next((i for i in chunk if i.lstrip("0") ==
                                  ident["identifier"].lstrip("0")), None)  # fmt: skip
                    if match:
                        found[match] = {
                            "asin": item["asin"],
                            "brand": summary.get("brand"),
                            "itemName": summary.get("itemName"),
                        }
    return found


def listing_restrictions(client: SpApiClient, marketplace_id: str, asin: str,
                         condition_type: str = "new_new") -> list[dict]:  # fmt: skip
    """Why the seller may not list this ASIN here ([] when it may): [{reasonCode, message}]."""
    api = client.api(ListingsRestrictions, marketplace_id)
    payload = client.call("getListingsRestrictions", lambda: api.get_listings_restrictions(
        asin=asin, sellerId=client.account.selling_partner_id, marketplaceIds=marketplace_id,
        conditionType=condition_type), marketplace_id=marketplace_id).payload  # fmt: skip
    return [reason for r in payload.get("restrictions", []) for reason in r.get("reasons", [])]
