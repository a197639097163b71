"""Sellers, Tokens (RDT) and Notifications operations."""

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


def create_destination(em, call: Call):
    spec = call.body["resourceSpecification"]
    destination_id = em.state.new_id("dest-")
    resource = {}
    if "sqs" in spec:
        resource["sqs"] = {"arn": spec["sqs"]["arn"]}
    if "eventBridge" in spec:
        eb = spec["eventBridge"]
        resource["eventBridge"] = {
            "name": f"aws.partner/sellingpartnerapi.amazon/{destination_id}",
            "region": eb["region"],
            "accountId": eb["accountId"],
        }
    if not resource:
        raise ApiError(400, "InvalidInput", "resourceSpecification needs sqs or eventBridge.")
    destination = {"name": call.body["name"], "destinationId": destination_id, "resource": resource}
    em.state.destinations[destination_id] = destination
    return 200, {"payload": destination}


def get_destinations(em, call: Call):
    return 200, {"payload": list(em.state.destinations.values())}


def create_subscription(em, call: Call):
    kind = call.path["notificationType"]
    key = (call.seller, kind)
    if key in em.state.subscriptions:
        raise ApiError(409, "Conflict", f"A subscription to {kind} already exists.")
    if call.body["destinationId"] not in em.state.destinations:
        raise ApiError(400, "InvalidInput", "Unknown destinationId.")
    subscription = {
        "subscriptionId": em.state.new_id("sub-"),
        "payloadVersion": call.body["payloadVersion"],
        "destinationId": call.body["destinationId"],
    }
    if "processingDirective" in call.body:
        subscription["processingDirective"] = call.body["processingDirective"]
    em.state.subscriptions[key] = subscription
    return 200, {"payload": subscription}


def get_subscription(em, call: Call):
    found = em.state.subscriptions.get((call.seller, call.path["notificationType"]))
    if found is None:
        raise ApiError(404, "NotFound", "No subscription of this type.")
    return 200, {"payload": found}


HANDLERS = {
    "getMarketplaceParticipations": get_marketplace_participations,
    "createRestrictedDataToken": create_restricted_data_token,
    "createDestination": create_destination,
    "getDestinations": get_destinations,
    "createSubscription": create_subscription,
    "getSubscription": get_subscription,
}
