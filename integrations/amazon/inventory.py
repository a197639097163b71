"""FBA Inventory: what Amazon holds in its fulfilment centres per SKU and marketplace."""

from __future__ import annotations

from sp_api.api import Inventories

from .client import SpApiClient


def fba_quantities(client: SpApiClient, marketplace_id: str,
                   skus: list[str] | None = None) -> dict[str, int]:  # fmt: skip
    """SKU -> fulfillable quantity at Amazon (FBA) in one marketplace."""
    api = client.api(Inventories, marketplace_id)
    quantities: dict[str, int] = {}
    params: dict = {
        "details": "true",
        "granularityType": "Marketplace",
        "granularityId": marketplace_id,
        "marketplaceIds": marketplace_id,
    }
    if skus:
        params["sellerSkus"] = ",".join(skus)
    while True:
        response = client.call("getInventorySummaries",
                               lambda p=dict(params): api.get_inventory_summary_marketplace(**p),
                               marketplace_id=marketplace_id)  # fmt: skip
        for row in (response.payload or {}).get("inventorySummaries", []):
            details = row.get("inventoryDetails") or {}
            quantities[row["sellerSku"]] = int(
                details.get("fulfillableQuantity", row.get("totalQuantity", 0))
            )
        token = (response.pagination or {}).get("nextToken")
        if not token:
            return quantities
        params["nextToken"] = token
