"""The one interface the jobs use to talk to a store, whichever platform it runs on.

Shopify (`integrations/shopify/adapter.py`) and WooCommerce (`integrations/woocommerce/adapter.py`)
each implement it. Data crosses it as plain dicts in the canonical shapes of `mapping/canonical.py`
(products) and `mapping/orders.py` (the store-order draft built from an Amazon order), so the jobs
never import a platform's client library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CreatedOrder:
    """The store order that an Amazon order became."""

    store_order_id: str
    store_order_name: str = ""
    already_existed: bool = False  # found by its Amazon order id instead of being created


@dataclass(frozen=True)
class Fulfilment:
    """A shipment made in the store, to be confirmed on Amazon."""

    store_order_id: str
    amazon_order_id: str | None
    carrier: str
    tracking_number: str
    shipped_at: str  # ISO 8601
    line_items: list[dict] = field(default_factory=list)  # [{"sku": str, "quantity": int}]
    ship_method: str | None = None


class StoreAdapter(Protocol):
    """What every store platform offers the jobs; one instance per shop, credentials inside."""

    def iter_products(self, updated_since: str | None = None) -> Iterator[dict]:
        """Every product (canonical dict with its variants), optionally only those changed since."""
        ...

    def get_product(self, product_id: str) -> dict | None:
        """One product's current state (canonical dict), or None when it no longer exists."""
        ...

    def get_stock(self, skus: list[str]) -> dict[str, int]:
        """Available quantity per SKU (summed over the locations that fulfil online orders)."""
        ...

    def find_order_by_amazon_id(self, amazon_order_id: str) -> CreatedOrder | None:
        """The store order already created for this Amazon order, if any."""
        ...

    def create_order(self, draft: dict, *, first_attempt: bool = False) -> CreatedOrder:
        """Create the store order for an Amazon order draft; idempotent on its Amazon order id
        (the store is looked up by it first). It only creates: the caller claims the order and
        holds its lock (jobs/orders.py), so the jobs' adapters take no second lock.

        first_attempt: the caller holds the order's claim and lock and knows no earlier attempt
        reached the store, so the lookup by Amazon order id (a scan on WooCommerce) is skipped.
        """
        ...

    def cancel_order(self, store_order_id: str, reason: str) -> None:
        """Cancel a store order that Amazon cancelled (only if not yet fulfilled)."""
        ...

    def list_fulfilments(self, store_order_id: str) -> list[Fulfilment]:
        """The shipments made in the store for one order, with carrier and tracking."""
        ...
