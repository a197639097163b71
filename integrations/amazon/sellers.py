"""Sellers API: which marketplaces a seller participates in, with currency and language."""

from __future__ import annotations

from sp_api.api import Sellers

from .client import SpApiClient

# Any marketplace of the region: the library needs one to build a client, Sellers ignores it.
REGION_ANCHOR = {"NA": "ATVPDKIKX0DER", "EU": "A1PA6795UKMFR9", "FE": "A1VC38T7YXB528"}


def marketplace_participations(client: SpApiClient) -> list[dict]:
    """Every marketplace of the account's region the seller participates in, as Amazon says."""
    anchor = REGION_ANCHOR[client.account.region]
    api = client.api(Sellers, anchor)
    response = client.call("getMarketplaceParticipations", api.get_marketplace_participation)
    found = []
    for entry in response.payload or []:
        market, participation = entry["marketplace"], entry["participation"]
        found.append({
            "marketplace_id": market["id"], "country_code": market["countryCode"],
            "name": market["name"], "domain": market["domainName"],
            "currency": market["defaultCurrencyCode"], "language": market["defaultLanguageCode"],
            "participating": bool(participation["isParticipating"]),
            "suspended_listings": bool(participation["hasSuspendedListings"]),
            "store_name": entry.get("storeName", ""),
        })  # fmt: skip
    return found
