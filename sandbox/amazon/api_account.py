"""Sellers and Tokens (RDT) operations (Notifications: api_notifications.py)."""

from __future__ import annotations

import secrets
import time

from . import marketplaces
from .dispatch import ApiError, Call

RDT_SECONDS = 3600


def get_marketplace_participations(em, call: Call):
    seller = em.state.sellers[call.seller]
    payload = [
        {
            "marketplace": {
                "id": m.id, "name": m.name, "countryCode": m.country,
                "defaultCurrencyCode": m.currency, "defaultLanguageCode": m.language,
                "domainName": m.domain,
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": seller.name,
        }
        for m in marketplaces.in_region(call.region)
        if m.id in seller.marketplaces and m.region in seller.regions
    ]  # fmt: skip
    return 200, {"payload": payload}


def create_restricted_data_token(em, call: Call):
    resources = call.body["restrictedResources"]
    for resource in resources:
        if resource["method"] not in ("GET", "PUT", "POST", "DELETE"):
            raise ApiError(400, "InvalidInput", f"Invalid method {resource['method']!r}.")
        if not resource["path"].startswith("/"):
            raise ApiError(400, "InvalidInput", f"Invalid path {resource['path']!r}.")
    token = f"Atz.sprdt|{secrets.token_urlsafe(32)}"
    em.state.rdts[token] = {
        "seller": call.seller, "region": call.region, "resources": resources,
        "exp": time.time() + RDT_SECONDS,
    }  # fmt: skip
    return 200, {"restrictedDataToken": token, "expiresIn": RDT_SECONDS}


HANDLERS = {
    "getMarketplaceParticipations": get_marketplace_participations,
    "createRestrictedDataToken": create_restricted_data_token,
}
