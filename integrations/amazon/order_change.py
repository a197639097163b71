"""ORDER_CHANGE notifications as they arrive in SQS, checked and reduced to what triggers an
import: which seller, marketplace and order, and the order's new status.

Checked with marshmallow at the boundary (unknown keys ignored: Amazon adds fields); a message
that is not JSON or lacks a required field is refused with the path of what is wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate


class MalformedNotification(ValueError):
    """The message is not a notification we can read; the message says what and where."""


class UnsupportedNotification(ValueError):
    """A well-formed notification of a type Crossport does not subscribe to."""

    def __init__(self, notification_type: str):
        super().__init__(f"notification type {notification_type!r} is not handled")
        self.notification_type = notification_type


@dataclass(frozen=True)
class OrderChange:
    """The facts of one ORDER_CHANGE notification that Crossport acts on."""

    notification_id: str
    seller_id: str
    amazon_order_id: str
    marketplace_id: str
    order_status: str
    change_type: str


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


_TEXT = {"required": True, "validate": validate.Length(min=1)}


class _Summary(_Base):
    MarketplaceId = fields.String(**_TEXT)
    OrderStatus = fields.String(**_TEXT)


class _OrderChangeNotification(_Base):
    SellerId = fields.String(**_TEXT)
    AmazonOrderId = fields.String(**_TEXT)
    OrderChangeType = fields.String(**_TEXT)
    Summary = fields.Nested(_Summary, required=True)


class _Payload(_Base):
    OrderChangeNotification = fields.Nested(_OrderChangeNotification, required=True)


class _Metadata(_Base):
    NotificationId = fields.String(**_TEXT)


class _Envelope(_Base):
    NotificationType = fields.String(**_TEXT)


class _OrderChangeEnvelope(_Envelope):
    PayloadVersion = fields.String(required=True, validate=validate.Equal("1.0"))
    Payload = fields.Nested(_Payload, required=True)
    NotificationMetadata = fields.Nested(_Metadata, required=True)


def parse_notification(body: str) -> OrderChange:
    """An ORDER_CHANGE from an SQS message body; MalformedNotification or
    UnsupportedNotification otherwise."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MalformedNotification(f"the message is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedNotification("the message is not a JSON object")
    try:
        kind = _Envelope().load(document)["NotificationType"]
        if kind != "ORDER_CHANGE":
            raise UnsupportedNotification(kind)
        loaded = _OrderChangeEnvelope().load(document)
    except ValidationError as exc:
        raise MalformedNotification("; ".join(_problems(exc.messages))) from None
    change = loaded["Payload"]["OrderChangeNotification"]
    return OrderChange(
        notification_id=loaded["NotificationMetadata"]["NotificationId"],
        seller_id=change["SellerId"],
        amazon_order_id=change["AmazonOrderId"],
        marketplace_id=change["Summary"]["MarketplaceId"],
        order_status=change["Summary"]["OrderStatus"],
        change_type=change["OrderChangeType"],
    )


def _problems(messages, path: str = "") -> list[str]:
    """marshmallow's nested error dict as 'Payload.OrderChangeNotification.SellerId: ...'."""
    if isinstance(messages, dict):
        found = []
        for key, value in messages.items():
            found += _problems(value, f"{path}.{key}" if path else str(key))
        return found
    texts = messages if isinstance(messages, list) else [messages]
    return [f"{path or '<root>'}: {text}" for text in texts]
