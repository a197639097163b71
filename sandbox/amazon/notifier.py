"""ORDER_CHANGE notifications: built when an order is placed or changes status, kept in the
outbox, and delivered by a courier thread to the subscribed destination's SQS queue.

Delivery is a real SQS SendMessage over HTTP to `Options.sqs_url` (the SQS emulator), the queue
named by the destination's ARN (`arn:aws:sqs:<region>:<account>:<name>` ->
`<sqs_url>/<account>/<name>`), never holding the state lock. Without `sqs_url` notifications stay
in the outbox (GET /_sandbox/notifications). Like Amazon, delivery is at least once: the
`redeliver` control sends a notification again with the same NotificationId.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime

import requests

from . import marketplaces

log = logging.getLogger(__name__)
APPLICATION_ID = "amzn1.sp.solution.sandbox"
DELIVERY_ATTEMPTS = 3


def _iso_ms(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def order_changed(state, order: dict, reason: str) -> int:
    """Publish ORDER_CHANGE for `order` to every matching subscription; returns how many."""
    market = marketplaces.get(order["MarketplaceId"])
    region = market.region if market else None
    published = 0
    with state.lock:
        for (seller, sub_region, kind), subscription in state.subscriptions.items():
            if kind != "ORDER_CHANGE" or seller != order["seller"]:
                continue
            if sub_region not in (None, region) or not _passes_filter(subscription, order):
                continue
            destination = state.destinations.get(subscription["destinationId"])
            if destination is None or "sqs" not in destination["resource"]:
                continue
            body = order_change_notification(order, subscription["subscriptionId"], reason)
            state.outbox.append(
                {
                    "arn": destination["resource"]["sqs"]["arn"],
                    "body": body,
                    "status": "pending",
                    "attempts": 0,
                    "error": "",
                }
            )
            published += 1
    if published:
        state.outbox_signal.set()
    return published


def _passes_filter(subscription: dict, order: dict) -> bool:
    """The subscription's eventFilter: marketplaces and order change types it asked for."""
    event_filter = (subscription.get("processingDirective") or {}).get("eventFilter") or {}
    markets = event_filter.get("marketplaceIds")
    changes = event_filter.get("orderChangeTypes")
    return (not markets or order["MarketplaceId"] in markets) and (
        not changes or "OrderStatusChange" in changes
    )


def order_change_notification(order: dict, subscription_id: str, reason: str) -> dict:
    """The notification as OrderChangeNotification.json describes it (payload version 1.0)."""
    now = time.time()
    items = [
        {
            "OrderItemId": item["OrderItemId"],
            "SellerSKU": item["SellerSKU"],
            "SupplySourceId": None,
            "OrderItemStatus": "Shipped"
            if item["QuantityShipped"] >= item["QuantityOrdered"]
            else "Unshipped",
            "Quantity": item["QuantityOrdered"],
            "QuantityShipped": item["QuantityShipped"],
        }
        for item in order["items"]
    ]
    summary = {
        "MarketplaceId": order["MarketplaceId"],
        "OrderStatus": order["OrderStatus"],
        "PurchaseDate": order["PurchaseDate"],
        "DestinationPostalCode": order["address"].get("PostalCode"),
        "FulfillmentType": order["FulfillmentChannel"],
        "OrderType": order["OrderType"],
        "NumberOfItemsShipped": order["NumberOfItemsShipped"],
        "NumberOfItemsUnshipped": order["NumberOfItemsUnshipped"],
        "EarliestShipDate": order["EarliestShipDate"],
        "LatestShipDate": order["LatestShipDate"],
        "OrderPrograms": ["Prime"] if order.get("IsPrime") else [],
        "ShippingPrograms": [],
        "OrderItems": items,
    }
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": _iso_ms(now),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": order["seller"],
                "AmazonOrderId": order["AmazonOrderId"],
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": order["LastUpdateDate"],
                    "ChangeReason": reason,
                },
                "Summary": summary,
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": subscription_id,
            "PublishTime": _iso_ms(now),
            "NotificationId": str(uuid.uuid4()),
        },
    }


def queue_url(sqs_url: str, arn: str) -> str:
    """Where the SQS emulator serves the queue an ARN names."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"]:
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    return f"{sqs_url.rstrip('/')}/{parts[4]}/{parts[5]}"


class Courier:
    """A daemon thread sending pending outbox entries to SQS, one SendMessage each."""

    def __init__(self, state) -> None:
        self.state = state
        self.session = requests.Session()
        self.thread = threading.Thread(target=self._run, name="sp-api-notifications", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            self.state.outbox_signal.wait()
            self.state.outbox_signal.clear()
            with self.state.lock:
                pending = [e for e in self.state.outbox if e["status"] == "pending"]
            for entry in pending:
                self.deliver(entry)

    def deliver(self, entry: dict) -> None:
        with self.state.lock:  # published before a reset: that world is gone
            if not any(e is entry for e in self.state.outbox):
                return
        sqs_url = self.state.options.sqs_url
        if not sqs_url:
            entry["status"] = "kept"  # no SQS to deliver to: the outbox is all there is
            return
        while entry["status"] == "pending":
            entry["attempts"] += 1
            try:
                self._send(sqs_url, queue_url(sqs_url, entry["arn"]), json.dumps(entry["body"]))
                entry["status"] = "delivered"
            except (requests.RequestException, ValueError) as exc:
                entry["error"] = str(exc)[:300]
                if entry["attempts"] >= DELIVERY_ATTEMPTS:
                    entry["status"] = "failed"
                    log.warning("notification not delivered to %s: %s", entry["arn"], exc)
                else:
                    time.sleep(0.2 * entry["attempts"])

    def _send(self, endpoint: str, url: str, body: str) -> None:
        # Amazon signs as its own AWS principal; the SQS emulator only checks the header exists.
        headers = {
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDSELLINGPARTNERAPI/sqs/aws4_request",
        }
        response = self.session.post(
            endpoint.rstrip("/") + "/",
            timeout=10,
            headers=headers,
            data=json.dumps({"QueueUrl": url, "MessageBody": body}),
        )
        if response.status_code != 200:
            raise ValueError(f"SQS answered {response.status_code}: {response.text[:200]}")
