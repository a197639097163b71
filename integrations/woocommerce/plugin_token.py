"""Verifying the short-lived token the Crossport WordPress plugin puts in its iframe URL.

The plugin (wordpress-plugin/crossport) signs an HS256 JWT with a key it derives from the
secret of Crossport's webhooks in that store (it reads it from WooCommerce's webhook table, so
no extra secret travels): key = HMAC-SHA256(key=webhook_secret, msg="crossport-plugin-token").
Claims: iss = the store URL (home_url), aud = "crossport", sub = the WordPress user id,
iat, exp = iat + 300 s at most, jti = a random id (single use when a replay guard is given).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

import jwt

AUDIENCE = "crossport"
MAX_LIFETIME = 300
LEEWAY = 30


class InvalidPluginToken(ValueError):
    """The token is missing, forged, expired, replayed or from an unknown store."""


@dataclass(frozen=True)
class PluginIdentity:
    """Who opened Crossport from wp-admin."""

    shop_id: int
    store_url: str
    wp_user_id: str
    claims: dict


def token_key(webhook_secret: str) -> bytes:
    """The HS256 key both sides derive from the connection's webhook secret."""
    return hmac.new(webhook_secret.encode(), b"crossport-plugin-token", hashlib.sha256).digest()


def decode_plugin_token(token: str, webhook_secret: str, store_url: str) -> dict:
    """The verified claims of a token from `store_url`, else InvalidPluginToken."""
    try:
        claims = jwt.decode(
            token,
            token_key(webhook_secret),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=store_url,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidPluginToken(str(exc)) from exc
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME:
        raise InvalidPluginToken("token lifetime exceeds 5 minutes")
    return claims


def verify_plugin_token(
    token: str, replay_guard: Callable[[str, int], bool] | None = None
) -> PluginIdentity:
    """Verify a plugin token against the connection of the store it names (app context).

    replay_guard(jti, ttl_seconds) must return True the first time a jti is seen, e.g.
    `lambda jti, ttl: bool(get_redis().set(f"wc-token:{jti}", 1, nx=True, ex=ttl))`.
    """
    from integrations.woocommerce.connection import find_connection_by_source

    try:
        unverified = jwt.decode(token or "", options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidPluginToken(str(exc)) from exc
    connection = find_connection_by_source(str(unverified.get("iss", "")))
    if connection is None or not connection.webhook_secret or connection.status != "connected":
        raise InvalidPluginToken("unknown or disconnected store")
    # The store matched case-insensitively; the issuer must be exactly what the store signed.
    claims = decode_plugin_token(token, connection.webhook_secret, str(unverified["iss"]))
    if replay_guard is not None and not replay_guard(str(claims["jti"]), MAX_LIFETIME + LEEWAY):
        raise InvalidPluginToken("token already used")
    return PluginIdentity(connection.shop_id, connection.base_url, str(claims["sub"]), claims)


def redis_replay_guard(jti: str, ttl_seconds: int) -> bool:
    """The default replay guard: a jti is accepted once (Redis SET NX with a TTL; app context)."""
    from core.redis import get_redis

    return bool(get_redis().set(f"woocommerce:plugin-token:{jti}", 1, nx=True, ex=ttl_seconds))
