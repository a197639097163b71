"""Listings Items 2021-08-01: get, put, patch, delete and search."""

from __future__ import annotations

from . import listing_engine as engine
from .api_catalog import _one_marketplace
from .dispatch import ApiError, Call


def _check_seller(call: Call) -> None:
    if call.path["sellerId"] != call.seller:
        raise ApiError(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "sellerId does not match the access token.",
        )


def _market(em, call: Call):
    market = _one_marketplace(call)
    if market.id not in em.state.sellers[call.seller].marketplaces:
        raise ApiError(400, "InvalidInput", f"The seller does not sell in {market.id}.")
    return market


def _submission(em, call: Call, sku: str, status: str, issues: list[dict], listing=None):
    body = {"sku": sku, "status": status, "submissionId": em.state.new_id("sub"),
            "issues": issues}  # fmt: skip
    included = call.query.get("includedData") or ["issues"]
    if listing is not None and "identifiers" in included and listing.get("asin"):
        body["identifiers"] = [{"marketplaceId": listing["marketplaceId"], "asin": listing["asin"]}]
    return 200, body


def put_listings_item(em, call: Call):
    _check_seller(call)
    market = _market(em, call)
    sku, body = call.path["sku"], call.body
    requirements = body.get("requirements", "LISTING")
    issues = engine.validate(
        em, call.seller, market, body["productType"], body["attributes"], requirements
    )
    if any(i["severity"] == "ERROR" for i in issues):
        return _submission(em, call, sku, "INVALID", issues)
    if call.query.get("mode") == "VALIDATION_PREVIEW":
        return _submission(em, call, sku, "VALID", issues)
    listing = engine.accept(em, call.seller, sku, market, body["productType"], body["attributes"])
    return _submission(em, call, sku, "ACCEPTED", issues, listing)


def patch_listings_item(em, call: Call):
    _check_seller(call)
    market = _market(em, call)
    sku = call.path["sku"]
    listing = em.state.listings.get((call.seller, sku, market.id))
    if listing is None:
        issue = {"code": "4000004", "severity": "ERROR", "attributeNames": [],
                 "message": f"SKU '{sku}' does not exist in {market.name}; use putListingsItem.",
                 "categories": []}  # fmt: skip
        return _submission(em, call, sku, "INVALID", [issue])
    schema = em.schemas.get(call.body["productType"], market)
    attributes, problems = engine.apply_patches(listing["attributes"], call.body["patches"], schema)
    issues = problems + engine.validate(
        em, call.seller, market, call.body["productType"], attributes
    )
    if any(i["severity"] == "ERROR" for i in issues):
        return _submission(em, call, sku, "INVALID", issues)
    if call.query.get("mode") == "VALIDATION_PREVIEW":
        return _submission(em, call, sku, "VALID", issues)
    listing = engine.accept(em, call.seller, sku, market, call.body["productType"], attributes)
    return _submission(em, call, sku, "ACCEPTED", issues, listing)


def delete_listings_item(em, call: Call):
    _check_seller(call)
    market = _market(em, call)
    em.state.listings.pop((call.seller, call.path["sku"], market.id), None)
    return _submission(em, call, call.path["sku"], "ACCEPTED", [])


def get_listings_item(em, call: Call):
    _check_seller(call)
    market = _market(em, call)
    sku = call.path["sku"]
    listing = em.state.listings.get((call.seller, sku, market.id))
    if listing is None:
        raise ApiError(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {market.id}")
    included = call.query.get("includedData") or ["summaries"]
    return 200, engine.render(em, listing, included, market)


def search_listings_items(em, call: Call):
    _check_seller(call)
    market = _market(em, call)
    included = call.query.get("includedData") or ["summaries"]
    wanted = call.query.get("identifiers")
    if wanted and call.query.get("identifiersType") not in ("SKU", None):
        raise ApiError(400, "InvalidInput", "The emulator searches by SKU identifiers only.")
    listings = sorted(
        (item for (seller, sku, mkt), item in em.state.listings.items()
         if seller == call.seller and mkt == market.id and (not wanted or sku in wanted)),
        key=lambda item: item["sku"],
    )  # fmt: skip
    size = int(call.query.get("pageSize") or 10)
    start = int(call.query.get("pageToken") or 0)
    page = listings[start : start + size]
    body = {
        "numberOfResults": len(listings),
        "items": [engine.render(em, item, included, market) for item in page],
    }
    if start + size < len(listings):
        body["pagination"] = {"nextToken": str(start + size)}
    return 200, body


HANDLERS = {
    "putListingsItem": put_listings_item,
    "patchListingsItem": patch_listings_item,
    "deleteListingsItem": delete_listings_item,
    "getListingsItem": get_listings_item,
    "searchListingsItems": search_listings_items,
}
