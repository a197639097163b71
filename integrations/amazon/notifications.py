"""Notifications API: our SQS queue as a destination (grantless) and each seller's subscription
to it, made idempotently: read first, create only what is missing, settle a lost race by
reading again (Amazon answers 409 Conflict to a second destination or subscription)."""

from __future__ import annotations

from urllib.parse import quote

from sp_api.api import Notifications

from .client import SpApiClient
from .errors import AmazonApiError
from .sellers import REGION_ANCHOR

ORDER_CHANGE = "ORDER_CHANGE"
PAYLOAD_VERSION = "1.0"  # ORDER_CHANGE has this one payload version


def _api(client: SpApiClient) -> tuple[Notifications, str]:
    # Destinations and subscriptions are regional: any marketplace of the region picks it.
    anchor = REGION_ANCHOR[client.account.region]
    return client.api(Notifications, anchor), anchor


def find_destination(client: SpApiClient, arn: str) -> str | None:
    """The id of the application's destination for the SQS queue `arn` in this region."""
    api, anchor = _api(client)
    payload = client.call("getDestinations", api.get_destinations, marketplace_id=anchor).payload
    for destination in payload or []:
        if ((destination.get("resource") or {}).get("sqs") or {}).get("arn") == arn:
            return destination["destinationId"]
    return None


def ensure_destination(client: SpApiClient, name: str, arn: str) -> str:
    """The destinationId for the SQS queue `arn`, created if the region has none yet."""
    found = find_destination(client, arn)
    if found:
        return found
    api, anchor = _api(client)
    try:
        payload = client.call("createDestination",
                              lambda: api.create_destination(name=name, arn=arn),
                              marketplace_id=anchor).payload  # fmt: skip
        return payload["destinationId"]
    except AmazonApiError as exc:
        if exc.status != 409:
            raise
        found = find_destination(client, arn)  # another worker created it meanwhile
        if found is None:
            raise
        return found


def get_subscription(client: SpApiClient, notification_type: str) -> dict | None:
    """The seller's subscription to `notification_type` in this region, or None."""
    api, anchor = _api(client)
    try:
        response = client.call("getSubscription",
                               lambda: api.get_subscription(notification_type,
                                                            payloadVersion=PAYLOAD_VERSION),
                               marketplace_id=anchor)  # fmt: skip
    except AmazonApiError as exc:
        if exc.status == 404:
            return None
        raise
    return dict(response.payload or {}) or None


def delete_subscription(client: SpApiClient, notification_type: str, subscription_id: str) -> bool:
    """Drop a subscription of the application by its id, in the client's region; False when
    Amazon has none of that id (already deleted).

    Grantless, as the model documents it: the library's delete_notification_subscription sends
    the seller's token, which a seller who revoked Crossport no longer has, so the library's own
    grantless request is used with the operation's path.
    """
    api, anchor = _api(client)
    path = f"/notifications/v1/subscriptions/{quote(notification_type, safe='')}/" + quote(
        subscription_id, safe=""
    )
    try:
        client.call("deleteSubscriptionById",
                    lambda: api._request_grantless_operation(path, params={"method": "DELETE"}),
                    marketplace_id=anchor, grantless_scope=api.grantless_scope)  # fmt: skip
    except AmazonApiError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def ensure_subscription(client: SpApiClient, notification_type: str, destination_id: str) -> dict:
    """The seller's subscription delivering `notification_type` to `destination_id`.

    One pointing at another destination (an earlier queue) is replaced: Amazon allows one
    subscription per seller and type.
    """
    current = get_subscription(client, notification_type)
    if current and current.get("destinationId") == destination_id:
        return current
    if current:
        delete_subscription(client, notification_type, current["subscriptionId"])
    api, anchor = _api(client)
    try:
        response = client.call("createSubscription",
                               lambda: api.create_subscription(notification_type,
                                                               destination_id=destination_id,
                                                               payload_version=PAYLOAD_VERSION),
                               marketplace_id=anchor)  # fmt: skip
    except AmazonApiError as exc:
        current = get_subscription(client, notification_type) if exc.status == 409 else None
        if current and current.get("destinationId") == destination_id:
            return current  # another worker subscribed the seller meanwhile
        raise
    return dict(response.payload)
