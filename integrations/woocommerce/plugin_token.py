"""The key the Crossport WordPress plugin signs its iframe tokens with, and verifying those tokens.

The key: while connecting (keyflow.complete_callback), Crossport makes a random key and posts it
with the store's freshly approved REST keys to the plugin's route `wc/v3/crossport/token-key`
(wordpress-plugin/crossport/includes/connection.php), which keeps it in a WordPress option no
settings screen shows and never answers it back. Only the plugin and Crossport hold it. It used to
be derived from the webhook secret, which anyone with manage_woocommerce can read in
WooCommerce > Settings > Advanced > Webhooks: a shop manager could sign a token for any user.

The token (HS256 JWT, includes/token.php): iss = the store URL (home_url), aud = "crossport",
sub = the WordPress user id, caps = which of manage_options / manage_woocommerce the user has,
iat, exp = iat + 300 s at most, jti = a random id (single use when a replay guard is given).
The highest Crossport role the staff member may hold comes from `caps`, never from the user id.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import jwt

AUDIENCE = "crossport"
MAX_LIFETIME = 300
LEEWAY = 30
KEY_ROUTE = "crossport/token-key"  # under wc/v3, so WooCommerce's REST authentication applies
RECONNECT = "connect the store again from WooCommerce › Crossport (update the plugin first)"

# The capability the plugin vouches for -> the highest role it allows, highest first.
CAPABILITY_CEILINGS = (("manage_options", "owner"), ("manage_woocommerce", "admin"))


class InvalidPluginToken(ValueError):
    """The token is missing, forged, expired, replayed or from an unknown store."""


@dataclass(frozen=True)
class PluginIdentity:
    """Who opened Crossport from wp-admin, and the highest role WordPress vouches for."""

    shop_id: int
    store_url: str
    wp_user_id: str
    claims: dict
    max_role: str = "viewer"


def new_token_key() -> str:
    """A fresh key (256 random bits, base64url: the plugin accepts 43 to 128 such characters)."""
    return secrets.token_urlsafe(32)


def hand_key_to_plugin(client) -> str:
    """Give the store's plugin a fresh token key with the connection's own REST keys; the key.

    Raises WooApiError when the store refuses it (e.g. 404: the plugin is missing or too old).
    """
    key = new_token_key()
    client.post(KEY_ROUTE, {"key": key})
    return key


def role_ceiling(caps) -> str:
    """The highest role the vouched capabilities allow; InvalidPluginToken without either."""
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        raise InvalidPluginToken("the token's caps claim must be a list of capability names")
    for capability, role in CAPABILITY_CEILINGS:
        if capability in caps:
            return role
    raise InvalidPluginToken("the WordPress user may not open Crossport (needs manage_woocommerce)")


def decode_plugin_token(token: str, key: str, store_url: str) -> dict:
    """The verified claims of a token from `store_url`, else InvalidPluginToken."""
    try:
        claims = jwt.decode(
            token,
            key.encode(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=store_url,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "caps"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidPluginToken(str(exc)) from exc
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME:
        raise InvalidPluginToken("token lifetime exceeds 5 minutes")
    role_ceiling(claims["caps"])
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
    if connection is None or connection.status != "connected":
        raise InvalidPluginToken("unknown or disconnected store")
    if not connection.plugin_token_key:
        # Connected before the plugin had a key of its own: nothing can verify its tokens.
        raise InvalidPluginToken(f"this store's plugin has no token key yet: {RECONNECT}")
    # The store matched case-insensitively; the issuer must be exactly what the store signed.
    claims = decode_plugin_token(token, connection.plugin_token_key, str(unverified["iss"]))
    if replay_guard is not None and not replay_guard(str(claims["jti"]), MAX_LIFETIME + LEEWAY):
        raise InvalidPluginToken("token already used")
    return PluginIdentity(
        connection.shop_id,
        connection.base_url,
        str(claims["sub"]),
        claims,
        max_role=role_ceiling(claims["caps"]),
    )


def redis_replay_guard(jti: str, ttl_seconds: int) -> bool:
    """The default replay guard: a jti is accepted once (Redis SET NX with a TTL; app context)."""
    from core.redis import get_redis

    return bool(get_redis().set(f"woocommerce:plugin-token:{jti}", 1, nx=True, ex=ttl_seconds))
