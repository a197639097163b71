"""Where a shop's Admin API lives; the only thing that differs between Shopify and the sandbox."""

from __future__ import annotations

from core.settings import Settings

APP_BRIDGE_CDN = "https://cdn.shopify.com/shopifycloud/app-bridge.js"


def admin_base_url(settings: Settings, shop: str) -> str:
    """https://{shop} in production; {emulator}/store/{shop} in the sandbox."""
    return settings.shopify_admin_url_template.format(shop=shop).rstrip("/")


def graphql_url(settings: Settings, shop: str) -> str:
    return f"{admin_base_url(settings, shop)}/admin/api/{settings.shopify_api_version}/graphql.json"


def token_url(settings: Settings, shop: str) -> str:
    return f"{admin_base_url(settings, shop)}/admin/oauth/access_token"


def authorize_url(settings: Settings, shop: str) -> str:
    return f"{admin_base_url(settings, shop)}/admin/oauth/authorize"


def app_bridge_script_url(settings: Settings, shop: str) -> str:
    """App Bridge for the embedded page: Shopify's CDN, or the sandbox admin's copy."""
    if settings.shopify_admin_url_template == "https://{shop}":
        return APP_BRIDGE_CDN
    return f"{admin_base_url(settings, shop)}/admin/app-bridge.js"
