"""Notifications API v1: destinations (grantless) and a seller's subscriptions.

As on Amazon, both are regional: a destination or subscription made through the EU endpoint
serves EU marketplaces only (made through the region-less endpoint, it serves every region).
A subscription is per (seller, region, notification type); a second one is a 409 Conflict, and
so is a second destination for the same SQS queue.
"""

from __future__ import annotations

from .dispatch import ApiError, Call

SUPPORTED_TYPES = {"ORDER_CHANGE"}  # the types the emulator can publish


def _region(call: Call) -> str | None:
    return call.region or call.token.get("region")


def _shown(destination: dict) -> dict:
    return {k: v for k, v in destination.items() if k != "region"}


def create_destination(em, call: Call):
    spec = call.body["resourceSpecification"]
    state, region = em.state, _region(call)
    if ("sqs" in spec) == ("eventBridge" in spec):
        raise ApiError(
            400, "InvalidInput", "resourceSpecification needs one of sqs or eventBridge."
        )
    destination_id = state.new_id("dest-")
    if "sqs" in spec:
        arn = spec["sqs"]["arn"]
        for existing in state.destinations.values():
            if (
                existing["region"] == region
                and existing["resource"].get("sqs", {}).get("arn") == arn
            ):
                raise ApiError(
                    409,
                    "Conflict",
                    "The requested resource conflict with a resource in the server.",
                    f"A destination with arn {arn} already exists for the application.",
                )
        resource = {"sqs": {"arn": arn}}
    else:
        bridge = spec["eventBridge"]
        resource = {
            "eventBridge": {
                "name": f"aws.partner/sellingpartnerapi.amazon/{destination_id}",
                "region": bridge["region"],
                "accountId": bridge["accountId"],
            }
        }
    destination = {
        "name": call.body["name"],
        "destinationId": destination_id,
        "resource": resource,
        "region": region,
    }
    state.destinations[destination_id] = destination
    return 200, {"payload": _shown(destination)}


def get_destinations(em, call: Call):
    region = _region(call)
    found = [
        _shown(d)
        for d in em.state.destinations.values()
        if region is None or d["region"] in (None, region)
    ]
    return 200, {"payload": found}


def _subscription_type(call: Call) -> str:
    kind = call.path["notificationType"]
    if kind not in SUPPORTED_TYPES:
        raise ApiError(400, "InvalidInput", f"Notification type {kind} is not supported here.")
    return kind


def create_subscription(em, call: Call):
    kind, state = _subscription_type(call), em.state
    key = (call.seller, _region(call), kind)
    if key in state.subscriptions:
        raise ApiError(
            409,
            "Conflict",
            "The resource specified conflicts with the current state.",
            f"Subscription already exists for notification type {kind}.",
        )
    destination = state.destinations.get(call.body["destinationId"])
    if destination is None or destination["region"] not in (None, _region(call)):
        raise ApiError(
            400, "InvalidInput", "The destinationId is not a destination of this region."
        )
    if call.body["payloadVersion"] != "1.0":
        raise ApiError(400, "InvalidInput", f"{kind} has payload version 1.0 only.")
    subscription = {
        "subscriptionId": state.new_id("sub-"),
        "payloadVersion": call.body["payloadVersion"],
        "destinationId": call.body["destinationId"],
    }
    if "processingDirective" in call.body:
        subscription["processingDirective"] = call.body["processingDirective"]
    state.subscriptions[key] = subscription
    return 200, {"payload": subscription}


def get_subscription(em, call: Call):
    kind = _subscription_type(call)
    found = em.state.subscriptions.get((call.seller, _region(call), kind))
    wanted = call.query.get("payloadVersion")
    if found is None or (wanted and found["payloadVersion"] != wanted):
        raise ApiError(404, "NotFound", f"The seller has no {kind} subscription.")
    return 200, {"payload": found}


def delete_subscription_by_id(em, call: Call):
    """A subscription of the region found by its id: any of the application's with a grantless
    token, the seller's own with a seller's token."""
    kind, wanted, region = call.path["notificationType"], call.path["subscriptionId"], _region(call)
    subscriptions = em.state.subscriptions
    key = next(
        (k for k, s in subscriptions.items()
         if k[2] == kind and s["subscriptionId"] == wanted and call.seller in (None, k[0])
         and region in (None, k[1])),
        None,
    )  # fmt: skip
    if key is None:
        raise ApiError(404, "NotFound", f"No {kind} subscription {wanted}.")
    del subscriptions[key]
    return 200, {}


HANDLERS = {
    "createDestination": create_destination,
    "getDestinations": get_destinations,
    "createSubscription": create_subscription,
    "getSubscription": get_subscription,
    "deleteSubscriptionById": delete_subscription_by_id,
}
