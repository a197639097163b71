"""Listings Items 2021-08-01: put, patch, delete and get one listing, and VALIDATION_PREVIEW.

Each call returns Amazon's answer as a dict: a submission ({sku, status, submissionId, issues})
or an item. `preview=True` asks Amazon to validate without writing (mode=VALIDATION_PREVIEW).
"""

from __future__ import annotations

import copy

from sp_api.api import ListingsItems

from .client import SpApiClient
from .errors import AmazonApiError

VERSION = "2021-08-01"
ALL_ITEM_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability")


def quantity_patch(quantity: int) -> dict:
    """The patch that sets a seller-fulfilled quantity. `merge`, not `replace`: replace swaps the
    whole fulfillment_availability entry, so a stock update would erase the handling time
    (lead_time_to_ship_max_days) and restock date published with the listing; merge changes only
    the quantity of the entry whose selector (fulfillment_channel_code) matches."""
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": int(quantity)}]
    return {"op": "merge", "path": "/attributes/fulfillment_availability", "value": value}


def _api(client: SpApiClient, marketplace_id: str):
    return client.api(ListingsItems, marketplace_id, version=VERSION)


def _mode(preview: bool) -> dict:
    return {"mode": "VALIDATION_PREVIEW"} if preview else {}


def put_listing(client: SpApiClient, marketplace_id: str, sku: str, product_type: str,
                attributes: dict, *, requirements: str = "LISTING", preview: bool = False,
                issue_locale: str | None = None) -> dict:  # fmt: skip
    """Create or fully replace a listing in one marketplace."""
    api = _api(client, marketplace_id)
    body = {"productType": product_type, "requirements": requirements, "attributes": attributes}
    extra = {"issueLocale": issue_locale} if issue_locale else {}
    # the library adds marketplace keys to the body it is given: hand it a copy every attempt
    response = client.call("putListingsItem", lambda: api.put_listings_item(
        sellerId=client.account.selling_partner_id, sku=sku, marketplaceIds=[marketplace_id],
        body=copy.deepcopy(body), includedData="issues,identifiers", **_mode(preview), **extra),
        marketplace_id=marketplace_id)  # fmt: skip
    return dict(response.payload)


def patch_listing(client: SpApiClient, marketplace_id: str, sku: str, product_type: str,
                  patches: list[dict], *, preview: bool = False) -> dict:  # fmt: skip
    """Change some attributes of an existing listing (price, quantity, a title...)."""
    api = _api(client, marketplace_id)
    body = {"productType": product_type, "patches": patches}
    response = client.call("patchListingsItem", lambda: api.patch_listings_item(
        sellerId=client.account.selling_partner_id, sku=sku, marketplaceIds=[marketplace_id],
        body=copy.deepcopy(body), includedData="issues", **_mode(preview)),
        marketplace_id=marketplace_id)  # fmt: skip
    return dict(response.payload)


def delete_listing(client: SpApiClient, marketplace_id: str, sku: str) -> dict:
    """Remove a listing from one marketplace (the library sends the client's own marketplace,
    which is why every client is bound to exactly one)."""
    api = _api(client, marketplace_id)
    response = client.call("deleteListingsItem", lambda: api.delete_listings_item(
        sellerId=client.account.selling_partner_id, sku=sku, marketplaceIds=[marketplace_id]),
        marketplace_id=marketplace_id)  # fmt: skip
    return dict(response.payload)


def get_listing(client: SpApiClient, marketplace_id: str, sku: str,
                included: tuple[str, ...] = ALL_ITEM_DATA) -> dict | None:  # fmt: skip
    """The listing as Amazon holds it now, or None when the SKU is not listed there."""
    api = _api(client, marketplace_id)
    try:
        response = client.call("getListingsItem", lambda: api.get_listings_item(
            sellerId=client.account.selling_partner_id, sku=sku, marketplaceIds=[marketplace_id],
            includedData=",".join(included)), marketplace_id=marketplace_id)  # fmt: skip
    except AmazonApiError as exc:
        if exc.status == 404:
            return None
        raise
    return dict(response.payload)


def search_listings(client: SpApiClient, marketplace_id: str, skus: list[str],
                    included: tuple[str, ...] = ("summaries", "issues")) -> list[dict]:  # fmt: skip
    """Several listings by SKU (at most 20 per call, as Amazon allows)."""
    api = _api(client, marketplace_id)
    found: list[dict] = []
    for start in range(0, len(skus), 20):
        chunk = skus[start : start + 20]
        response = client.call("searchListingsItems", lambda chunk=chunk: api.search_listings_items(
            sellerId=client.account.selling_partner_id, marketplaceIds=[marketplace_id],
            identifiers=",".join(chunk), identifiersType="SKU", pageSize=20,
            includedData=",".join(included)), marketplace_id=marketplace_id)  # fmt: skip
        found += response.payload.get("items", [])
    return found
