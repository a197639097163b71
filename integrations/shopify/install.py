"""After a grant: save the shop and its tokens, read the shop's basics, subscribe to webhooks."""

from __future__ import annotations

import logging

from sqlalchemy import select

from core.db import db, utcnow
from core.models import Shop, StoreConnection
from core.settings import Settings
from integrations.shopify.client import ShopifyError, ShopifyGraphQL
from integrations.shopify.endpoints import admin_base_url, graphql_url
from integrations.shopify.oauth import TokenSet
from integrations.shopify.tokens import ShopTokens, store_tokens
from integrations.shopify.webhooks import SUBSCRIBED_TOPICS

log = logging.getLogger("crossport.shopify")


def save_installation(settings: Settings, shop_domain: str, tokens: TokenSet) -> Shop:
    """Create or revive the Shop and replace its tokens (a reinstall replaces them all)."""
    shop = db.session.scalars(
        select(Shop).where(Shop.platform == "shopify", Shop.domain == shop_domain)
    ).one_or_none()
    if shop is None:
        shop = Shop(platform="shopify", domain=shop_domain, name=shop_domain.split(".")[0])
        db.session.add(shop)
    shop.status = "installed"
    shop.uninstalled_at = None
    if shop.installed_at is None:
        shop.installed_at = utcnow()
    conn = shop.connection
    if conn is None:
        conn = StoreConnection()
        shop.connection = conn
    conn.base_url = admin_base_url(settings, shop_domain)
    store_tokens(conn, tokens)
    db.session.commit()
    return shop


def client_for(settings: Settings, shop: Shop, redis=None) -> ShopifyGraphQL:
    return ShopifyGraphQL(
        url=graphql_url(settings, shop.domain),
        shop_id=shop.id,
        shop=shop.domain,
        tokens=ShopTokens(settings, shop.id, redis),
        redis=redis,
        key_prefix=settings.queue_prefix,
    )


def finish_installation(settings: Settings, shop: Shop, redis=None) -> list[str]:
    """Shop name/currency and the webhook subscriptions; returns the topics subscribed now.

    A failure here does not undo the install: reconciliation covers missed events, and the
    next install or the settings page can retry the subscriptions.
    """
    client = client_for(settings, shop, redis)
    created: list[str] = []
    try:
        info = client.execute("ShopInfo")
        shop.name = info["shop"]["name"] or shop.name
        shop.currency = info["shop"]["currencyCode"] or shop.currency
        db.session.commit()
        created = register_webhooks(client, f"{settings.public_url.rstrip('/')}/webhooks/shopify")
    except ShopifyError as exc:
        log.warning(
            "shopify install follow-up failed", extra={"shop_id": shop.id, "error": str(exc)}
        )
    return created


def register_webhooks(client: ShopifyGraphQL, uri: str) -> list[str]:
    """Subscribe every topic Crossport handles to `uri`, skipping those already there."""
    existing = {
        (s["topic"], s["uri"])
        for s in client.paginate("WebhookSubscriptions", {}, ("webhookSubscriptions",))
    }
    created = []
    for topic in SUBSCRIBED_TOPICS:
        if (topic, uri) in existing:
            continue
        result = client.execute("WebhookSubscriptionCreate", {"topic": topic, "uri": uri})
        errors = result["webhookSubscriptionCreate"]["userErrors"]
        if errors and not any("taken" in e["message"] for e in errors):
            raise ShopifyError(f"webhook {topic}: " + "; ".join(e["message"] for e in errors))
        created.append(topic)
    return created
