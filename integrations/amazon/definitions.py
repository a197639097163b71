"""Product Type Definitions: find a product type and fetch its JSON schema for a marketplace."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests
from sp_api.api import ProductTypeDefinitions

from .client import Attempt, SpApiClient


def search_product_types(client: SpApiClient, marketplace_id: str, *,
                         keywords: list[str] | None = None, item_name: str | None = None,
                         locale: str | None = None) -> list[dict]:  # fmt: skip
    """Product types matching keywords or an item name: [{name, displayName, marketplaceIds}]."""
    api = client.api(ProductTypeDefinitions, marketplace_id)
    params: dict = {"marketplaceIds": [marketplace_id]}
    if keywords:
        params["keywords"] = ",".join(keywords)
    if item_name:
        params["itemName"] = item_name
    if locale:
        params["locale"] = locale
    response = client.call("searchDefinitionsProductTypes",
                           lambda: api.search_definitions_product_types(**params),
                           marketplace_id=marketplace_id)  # fmt: skip
    return list(response.payload.get("productTypes", []))


def get_definition(client: SpApiClient, marketplace_id: str, product_type: str, *,
                   requirements: str = "LISTING", locale: str = "DEFAULT") -> dict:  # fmt: skip
    """The definition envelope (propertyGroups, requirements, schema link, version)."""
    api = client.api(ProductTypeDefinitions, marketplace_id)
    response = client.call(
        "getDefinitionsProductType",
        lambda: api.get_definitions_product_type(
            product_type, marketplaceIds=[marketplace_id], requirements=requirements,
            sellerId=client.account.selling_partner_id, requirementsEnforced="ENFORCED",
            locale=locale),
        marketplace_id=marketplace_id,
    )  # fmt: skip
    return dict(response.payload)


def download_schema(client: SpApiClient, definition: dict) -> dict:
    """The JSON schema a definition links to (a pre-signed URL: no token is sent)."""
    url = definition["schema"]["link"]["resource"]
    started = time.monotonic()
    response = requests.get(url, timeout=(5, 60), allow_redirects=False)
    marketplace_id = (definition.get("marketplaceIds") or [None])[0]
    client.record(Attempt("downloadProductTypeSchema", marketplace_id, method="GET",
                          url_path=urlsplit(url).path, status=response.status_code,
                          duration_ms=int((time.monotonic() - started) * 1000)))  # fmt: skip
    response.raise_for_status()
    return response.json()
