"""The emulator's in-memory data: shops (catalogue, stock, orders, subscriptions) and tokens."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.shopify.throttle import LeakyBucket


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def gid_number(value: str) -> int:
    """The numeric part of a gid (query strings such as ?inventory_item_id= are ignored)."""
    return int(str(value).rsplit("/", 1)[-1].split("?", 1)[0])


@dataclass
class ShopState:
    """One store: everything its admin and API show."""

    domain: str
    name: str
    bucket: LeakyBucket
    currency: str = "USD"
    locales: list[str] = field(default_factory=lambda: ["en", "de", "fr", "ja"])
    locations: dict[int, dict] = field(default_factory=dict)
    products: dict[int, dict] = field(default_factory=dict)
    variants: dict[int, dict] = field(default_factory=dict)
    items: dict[int, dict] = field(default_factory=dict)  # inventory items, levels inside
    orders: dict[int, dict] = field(default_factory=dict)
    fulfillments: dict[int, dict] = field(default_factory=dict)
    subscriptions: dict[int, dict] = field(default_factory=dict)
    bulk_operations: dict[int, dict] = field(default_factory=dict)
    emails: list[dict] = field(default_factory=list)  # what Shopify would e-mail the customer
    installed: bool = False
    scopes: str = ""
    order_number: int = 1000
    storm: int = 0  # the next N API calls are THROTTLED whatever the bucket holds

    def email_customer(self, order: dict, template: str) -> None:
        """Record a customer notification; Shopify sends none to an order without an e-mail
        (help.shopify.com/en/manual/orders/fulfill-orders: the "Send shipment details to your
        customer now" option "appears only if you have an email address for the customer")."""
        if order.get("email"):
            self.emails.append(
                {"template": template, "recipient": order["email"], "order_id": order["id"]}
            )

    def primary_location(self) -> dict:
        return next(iter(self.locations.values()))

    def variant_by_sku(self, sku: str) -> dict | None:
        return next((v for v in self.variants.values() if v["sku"] == sku), None)

    def available(self, item_id: int, online_only: bool = False) -> int:
        levels = self.items[item_id]["levels"]
        return sum(
            qty
            for loc_id, qty in levels.items()
            if not online_only or self.locations[loc_id]["fulfillsOnlineOrders"]
        )


@dataclass
class Grant:
    """An access or refresh token the emulator issued."""

    token: str
    shop: str
    kind: str  # access | refresh
    expires_at: float | None
    scopes: str = ""
    predecessor: str | None = None  # refresh tokens: the one this replaced
    revoked: bool = False

    def valid(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > time.time())


class EmulatorState:
    """All shops of one emulator, its issued credentials, and the log of calls it received."""

    def __init__(self, *, max_available: float, restore_rate: float):
        self.lock = threading.RLock()
        self.shops: dict[str, ShopState] = {}
        self.grants: dict[str, Grant] = {}
        self.codes: dict[str, dict] = {}
        self.calls: list[dict] = []
        self.max_available = max_available
        self.restore_rate = restore_rate
        self._ids = itertools.count(1_000_001)
        self.auto_approve = False

    def next_id(self) -> int:
        return next(self._ids)

    def shop(self, domain: str, create: bool = True) -> ShopState | None:
        with self.lock:
            shop = self.shops.get(domain)
            if shop is None and create:
                shop = ShopState(
                    domain=domain,
                    name=domain.split(".", 1)[0].replace("-", " ").title(),
                    bucket=LeakyBucket(self.max_available, self.restore_rate),
                )
                for name, online in (("Main warehouse", True), ("Retail shop", False)):
                    loc_id = self.next_id()
                    shop.locations[loc_id] = {
                        "id": loc_id,
                        "name": name,
                        "fulfillsOnlineOrders": online,
                    }
                self.shops[domain] = shop
            return shop

    def record_call(self, **entry) -> None:
        with self.lock:
            self.calls.append({"at": time.time(), **entry})
