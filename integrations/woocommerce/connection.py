"""Build a store's API client or adapter from its StoreConnection row (inside an app context)."""

from __future__ import annotations

from flask import current_app

from core.db import db
from core.models import Shop, StoreConnection
from integrations.woocommerce.adapter import WooCommerceAdapter
from integrations.woocommerce.client import WooClient
from integrations.woocommerce.products import StoreUnits


class NotConnected(LookupError):
    """The shop has no usable WooCommerce connection (never connected, or disconnected)."""


def client_for(connection: StoreConnection) -> WooClient:
    """A client for this connection's store, with its own keys and the API log."""
    if not connection.consumer_key or not connection.consumer_secret:
        raise NotConnected(f"store connection {connection.id} has no keys")
    settings = current_app.config["SETTINGS"]
    return WooClient(
        connection.base_url,
        connection.consumer_key,
        connection.consumer_secret,
        shop_id=connection.shop_id,
        sandbox_hosts=tuple(settings.woocommerce_sandbox_hosts),
    )


def adapter_for_shop(shop_id: int) -> WooCommerceAdapter:
    """The StoreAdapter of a WooCommerce shop (the jobs' entry point). No Redis: the jobs hold
    the order's lock around its creation, so the adapter takes no second one."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or shop.platform != "woocommerce" or shop.connection is None:
        raise NotConnected(f"shop {shop_id} has no WooCommerce connection")
    if shop.connection.status != "connected":
        raise NotConnected(f"shop {shop_id} is {shop.connection.status}")
    units = shop.settings.get("woocommerce_units") if isinstance(shop.settings, dict) else None
    return WooCommerceAdapter(
        client_for(shop.connection),
        units=StoreUnits(**units) if units else None,
    )


def find_connection_by_source(source_url: str) -> StoreConnection | None:
    """The connection whose store URL is this webhook source (X-WC-Webhook-Source)."""
    base = source_url.strip().rstrip("/").lower()
    if not base:
        return None
    return db.session.scalars(
        db.select(StoreConnection)
        .join(Shop)
        .where(Shop.platform == "woocommerce", db.func.lower(StoreConnection.base_url) == base)
    ).first()
