"""Notifications: a destination (grantless) and subscriptions such as ORDER_CHANGE."""

from __future__ import annotations

from sp_api.api import Notifications

from .client import SpApiClient


def create_sqs_destination(client: SpApiClient, marketplace_id: str, name: str, arn: str) -> str:
    """Register an SQS queue as a destination; returns its destinationId."""
    api = client.api(Notifications, marketplace_id)
    payload = client.call("createDestination", lambda: api.create_destination(name=name, arn=arn),
                          marketplace_id=marketplace_id).payload  # fmt: skip
    return payload["destinationId"]


def subscribe(client: SpApiClient, marketplace_id: str, notification_type: str,
              destination_id: str, payload_version: str = "1.0") -> dict:  # fmt: skip
    """Subscribe the seller to a notification type (ORDER_CHANGE, FEED_PROCESSING_FINISHED...)."""
    api = client.api(Notifications, marketplace_id)
    return dict(client.call("createSubscription", lambda: api.create_subscription(
        notification_type, destination_id=destination_id, payload_version=payload_version),
        marketplace_id=marketplace_id).payload)  # fmt: skip
