"""What each Shopify webhook topic Crossport accepts must look like, and which resource it names.

Shopify signs the body only: the topic and shop headers are not covered by the signature, and
every shop shares the app secret. So a delivery is bound to what it claims before anything acts
on it: its body must have the shape of its topic (a product body resent as `shop/redact` does
not), and where the body names a shop, that shop must be the one in the headers.

The shapes are the minimal keys of Shopify's payloads for API version 2026-04 (the webhook
payload examples and inferred schemas Shopify publishes per topic; `products/delete` carries the
product's numeric id alone). Ids arrive numeric (`"id": 788032119674292922`); Crossport stores
Shopify resources by GraphQL gid, so `resource_gid` turns each topic's id into the stored form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

INT = "integer"
STR = "string"
LIST = "array"
OBJECT = "object"
NULL = "null"

# Keys only a compliance topic's body carries: their presence in another topic's body means it
# is a compliance body sent under the wrong topic.
_CUSTOMER_REDACT_KEYS = frozenset({"orders_to_redact"})
_DATA_REQUEST_KEYS = frozenset({"orders_requested", "data_request"})
_CUSTOMER_KEYS = frozenset({"customer"})
# Keys of a full product body: products/delete carries none of them.
_PRODUCT_BODY_KEYS = frozenset({"title", "variants", "handle", "body_html", "vendor", "status"})


def _gid(kind: str, key: str) -> Callable[[dict], str]:
    def resource(payload: dict) -> str:
        return f"gid://shopify/{kind}/{payload[key]}"

    return resource


@dataclass(frozen=True)
class TopicShape:
    required: dict[str, tuple[str, ...]]  # key -> the JSON types its value may have
    foreign: frozenset[str] = frozenset()  # keys that mark the body of another topic
    shop_domain_key: str = ""  # the body key naming the shop's myshopify domain, if any
    resource_gid: Callable[[dict], str] = field(default=lambda payload: "")


_ORDER = TopicShape({"id": (INT,), "line_items": (LIST,)}, resource_gid=_gid("Order", "id"))
_FULFILLMENT = TopicShape(
    {"id": (INT,), "order_id": (INT,), "status": (STR,)},
    resource_gid=_gid("Order", "order_id"),  # what a fulfilment changes is its order
)
# A product change only says which product to re-read (the handler reads the store, never the
# body), so its id is all it must carry.
_PRODUCT = TopicShape({"id": (INT,)}, resource_gid=_gid("Product", "id"))

SHAPES: dict[str, TopicShape] = {
    "products/create": _PRODUCT,
    "products/update": _PRODUCT,
    "products/delete": TopicShape(
        {"id": (INT,)}, foreign=_PRODUCT_BODY_KEYS, resource_gid=_gid("Product", "id")
    ),
    "inventory_levels/update": TopicShape(
        {"inventory_item_id": (INT,), "location_id": (INT,), "available": (INT, NULL)},
        resource_gid=_gid("InventoryItem", "inventory_item_id"),
    ),
    "fulfillments/create": _FULFILLMENT,
    "fulfillments/update": _FULFILLMENT,
    "orders/cancelled": _ORDER,
    "orders/fulfilled": _ORDER,
    # The shop itself; `myshopify_domain` is the shop's own domain (null only in Shopify's
    # example payload), so it must be the header's shop.
    "app/uninstalled": TopicShape(
        {"id": (INT,), "name": (STR,), "myshopify_domain": (STR, NULL)},
        foreign=_CUSTOMER_KEYS | _CUSTOMER_REDACT_KEYS | _DATA_REQUEST_KEYS,
        shop_domain_key="myshopify_domain",
        resource_gid=_gid("Shop", "id"),
    ),
    "shop/redact": TopicShape(
        {"shop_id": (INT,), "shop_domain": (STR,)},
        foreign=_CUSTOMER_KEYS | _CUSTOMER_REDACT_KEYS | _DATA_REQUEST_KEYS,
        shop_domain_key="shop_domain",
        resource_gid=_gid("Shop", "shop_id"),
    ),
    "customers/redact": TopicShape(
        {
            "shop_id": (INT,),
            "shop_domain": (STR,),
            "customer": (OBJECT,),
            "orders_to_redact": (LIST,),
        },  # fmt: skip
        foreign=_DATA_REQUEST_KEYS,
        shop_domain_key="shop_domain",
        resource_gid=_gid("Shop", "shop_id"),
    ),
    "customers/data_request": TopicShape(
        {
            "shop_id": (INT,),
            "shop_domain": (STR,),
            "customer": (OBJECT,),
            "orders_requested": (LIST,),
        },  # fmt: skip
        foreign=_CUSTOMER_REDACT_KEYS,
        shop_domain_key="shop_domain",
        resource_gid=_gid("Shop", "shop_id"),
    ),
}


class DeliveryMismatch(Exception):
    """The body does not fit the topic (`status` 400) or names another shop (`status` 401)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _json_type(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "boolean"  # bool is an int in Python, never in JSON
    if isinstance(value, int):
        return INT
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return OBJECT
    return "number"


def check_delivery(topic: str, shop_domain: str, payload) -> TopicShape:
    """The topic's shape, once `payload` fits it and names no shop but `shop_domain`."""
    shape = SHAPES.get(topic)
    if shape is None:
        raise DeliveryMismatch(f"topic {topic!r} is not one Crossport subscribes to")
    if not isinstance(payload, dict):
        raise DeliveryMismatch(f"a {topic} body must be a JSON object")
    for key, types in shape.required.items():
        if key not in payload:
            raise DeliveryMismatch(f"a {topic} body must have {key!r}")
        if _json_type(payload[key]) not in types:
            raise DeliveryMismatch(f"{key!r} of a {topic} body must be {' or '.join(types)}")
    extra = sorted(shape.foreign & payload.keys())
    if extra:
        raise DeliveryMismatch(f"a {topic} body does not carry {', '.join(map(repr, extra))}")
    named = payload.get(shape.shop_domain_key) if shape.shop_domain_key else None
    if named is not None and named.strip().lower() != shop_domain:
        raise DeliveryMismatch(
            f"the body names shop {named!r}, the headers {shop_domain!r}", status=401
        )
    return shape
