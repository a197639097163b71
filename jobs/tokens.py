"""Store tokens renewed ahead of expiry, so no sync or order import meets an expired token."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from core.redis import get_redis

# The periodic sweep runs every 5 minutes: renew whatever expires within the next 10.
AHEAD = timedelta(minutes=10)


def refresh_store_token(shop_id: int) -> None:
    """Renew a Shopify offline token that expires soon (under the shop's refresh lock)."""
    from integrations.shopify.tokens import ShopTokens, TokenUnavailable

    try:
        ShopTokens(current_app.config["SETTINGS"], shop_id, get_redis(), margin=AHEAD).current()
    except TokenUnavailable:
        return  # uninstalled meanwhile: nothing to renew
