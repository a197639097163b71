"""Which store adapter serves a shop: the one place the jobs pick a platform."""

from __future__ import annotations

from core.models import Shop
from integrations.store import StoreAdapter


def store_for(shop: Shop) -> StoreAdapter:
    """The StoreAdapter of `shop`, with its own credentials (never process-global state)."""
    if shop.platform == "shopify":
        from integrations.shopify.adapter import ShopifyStore

        # no lock of the adapter's own: creating an order, the jobs hold its lock themselves
        return ShopifyStore.for_shop(shop, order_lock=False)
    if shop.platform == "woocommerce":
        from integrations.woocommerce.connection import adapter_for_shop

        return adapter_for_shop(shop.id)
    raise ValueError(f"shop {shop.id}: unknown platform {shop.platform!r}")
