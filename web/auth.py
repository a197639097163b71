"""Who is calling: the tenant and staff member from a verified token, and role checks.

The tenant comes from a verified token only, never from a parameter the page sends: a Shopify
App Bridge session token (JWT signed with the app secret), the WooCommerce plugin's signed token,
or Crossport's own page token. Calls carry it as `Authorization: Bearer <token>`, never in a
URL (URLs end up in access logs, history and Referer headers). Page loads are the exception the
stores impose, handled in web/pages.py: the store admin's first load carries Shopify's
one-minute `id_token` or the plugin's single-use `wc_token`, and moving between pages carries a
one-time `handoff` code (web/page_handoff.py), each exchanged at once.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from flask import current_app, g, jsonify, request
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.models import Shop, User
from integrations.woocommerce import plugin_token

ROLE_ORDER = {"viewer": 0, "editor": 1, "admin": 2, "owner": 3}
# Page tokens of our own: the same small clock leeway as Shopify's session tokens.
LEEWAY_SECONDS = 10


class AuthError(Exception):
    """The call cannot be attributed to a tenant; `code` tells the page what to do next.

    token_missing / token_expired / token_invalid: fetch a fresh token and retry once.
    shop_not_installed: the store has not installed Crossport (or uninstalled it).
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    """What a verified token says: platform, store domain, staff member id, optional locale."""

    platform: str
    domain: str
    user_id: str
    email: str = ""
    name: str = ""
    locale: str = ""
    shop_id: int | None = None  # known from the token itself (WooCommerce, page tokens)
    # WooCommerce: the highest role the plugin vouches for (from WordPress capabilities).
    max_role: str | None = None


def verify_shopify_session_token(token: str) -> Identity:
    """Check an App Bridge session token with the Shopify integration's verifier.

    HS256 with the app secret, aud = the API key, exp/nbf with a small leeway, iss and dest
    hosts equal, dest a myshopify domain; the shop is dest's host and the user is `sub`.
    """
    from integrations.shopify.session_token import InvalidSessionToken, decode_session_token

    settings = current_app.config["SETTINGS"]
    try:
        found = decode_session_token(token, settings.shopify_api_key, settings.shopify_api_secret)
    except InvalidSessionToken as exc:
        raise AuthError("token_expired" if exc.expired else "token_invalid", str(exc)) from None
    return Identity(platform="shopify", domain=found.shop, user_id=found.user_id)


def verify_woocommerce_plugin_token(token: str) -> Identity:
    """Check the WordPress plugin's signed token with the integration's verifier, once.

    A plugin token is only ever swapped for a page token (page load or /woocommerce/session):
    its jti is remembered in Redis, so a token seen before is refused wherever it is replayed.
    """
    try:
        guard = plugin_token.redis_replay_guard
        found = plugin_token.verify_plugin_token(token, replay_guard=guard)
    except plugin_token.InvalidPluginToken as exc:
        code = "token_expired" if "expired" in str(exc).lower() else "token_invalid"
        raise AuthError(code, f"the plugin token is refused: {exc}") from None
    claims = found.claims
    return Identity(
        platform="woocommerce",
        domain=found.store_url,
        user_id=str(found.wp_user_id),
        email=str(claims.get("email") or ""),
        name=str(claims.get("name") or ""),
        locale=str(claims.get("locale") or ""),
        shop_id=found.shop_id,
        max_role=found.max_role,
    )


PAGE_AUDIENCE = "crossport-page"
PAGE_TOKEN_SECONDS = 3600


def issue_page_token(shop: Shop, user: User, identity: Identity) -> str:
    """Crossport's own page token, for stores whose admin cannot renew tokens (WooCommerce)."""
    now = int(time.time())
    claims = {
        "aud": PAGE_AUDIENCE,
        "iss": "crossport",
        "sub": identity.user_id,
        "shop_id": shop.id,
        "platform": shop.platform,
        "dom": shop.domain,
        "locale": identity.locale,
        "iat": now,
        "nbf": now,
        "exp": now + PAGE_TOKEN_SECONDS,
    }
    if identity.max_role:
        claims["max_role"] = identity.max_role  # the plugin's ceiling lasts the page session
    return jwt.encode(claims, current_app.config["SETTINGS"].secret_key, algorithm="HS256")


def verify_page_token(token: str) -> Identity:
    """Check a page token this server issued (HS256 with the app's secret key)."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SETTINGS"].secret_key,
            algorithms=["HS256"],
            audience=PAGE_AUDIENCE,
            issuer="crossport",
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "shop_id", "dom"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("token_expired", "the page session has expired") from None
    except jwt.PyJWTError as exc:
        raise AuthError("token_invalid", f"the page token is invalid: {exc}") from None
    max_role = claims.get("max_role")
    if max_role is not None and max_role not in ROLE_ORDER:
        raise AuthError("token_invalid", "the page token names an unknown role")
    return Identity(
        platform=str(claims.get("platform", "")),
        domain=str(claims["dom"]),
        user_id=str(claims["sub"]),
        locale=str(claims.get("locale") or ""),
        shop_id=int(claims["shop_id"]),
        max_role=max_role,
    )


def verify_token(token: str) -> Identity:
    """A Shopify session token, a Crossport page token, or a WooCommerce plugin token."""
    if not token:
        raise AuthError("token_missing", "no token: open Crossport from your store admin")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("token_invalid", "the token is not a JWT") from None
    if header.get("alg") != "HS256":
        raise AuthError("token_invalid", "unexpected token algorithm")
    audience = unverified.get("aud")
    if audience == PAGE_AUDIENCE:
        return verify_page_token(token)
    if audience == "crossport":
        return verify_woocommerce_plugin_token(token)
    return verify_shopify_session_token(token)


def find_shop(identity: Identity) -> Shop:
    """The installed shop the identity belongs to (domains compare without scheme or slash)."""
    if identity.shop_id is not None:
        shop = db.session.get(Shop, identity.shop_id)
        if shop is None or shop.status != "installed" or shop.platform != identity.platform:
            raise AuthError("shop_not_installed", "this store has not installed Crossport")
        return shop
    candidates = {identity.domain, identity.domain.rstrip("/")}
    if identity.platform == "woocommerce":
        bare = identity.domain.split("://", 1)[-1].rstrip("/")
        candidates |= {bare, f"http://{bare}", f"https://{bare}"}
    shop = (
        db.session.query(Shop)
        .filter(Shop.platform == identity.platform, Shop.domain.in_(candidates))
        .first()
    )
    if shop is None or shop.status != "installed":
        raise AuthError("shop_not_installed", "this store has not installed Crossport")
    return shop


def user_for(shop: Shop, identity: Identity) -> User:
    """The staff member's row; the shop's first user becomes its owner, later ones viewers.

    Within the role ceiling the identity carries (WooCommerce: see keep_within_ceiling).
    """
    user = (
        db.session.query(User)
        .filter_by(shop_id=shop.id, platform_user_id=identity.user_id)
        .one_or_none()
    )
    if user is not None:
        return keep_within_ceiling(shop, user, identity)
    first = db.session.query(User.id).filter_by(shop_id=shop.id).first() is None
    user = User(
        shop_id=shop.id,
        platform_user_id=identity.user_id,
        email=identity.email,
        name=identity.name,
        role=_new_role(first, identity.max_role),
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # two first requests at once: the other one created the row
        db.session.rollback()
        user = (
            db.session.query(User)
            .filter_by(shop_id=shop.id, platform_user_id=identity.user_id)
            .one()
        )
    return user


# -- WooCommerce: the role comes from the capabilities the plugin vouches for ------------------
def _new_role(first: bool, ceiling: str | None) -> str:
    """Shopify: the first user is the owner. WooCommerce: a WordPress administrator is an owner;
    other store staff start as viewers, except the first, who gets the most they may hold."""
    if ceiling is None:
        return "owner" if first else "viewer"
    return ceiling if first or ceiling == "owner" else "viewer"


def keep_within_ceiling(shop: Shop, user: User, identity: Identity) -> User:
    """A WooCommerce staff member never holds more than their WordPress capabilities allow
    (a shop manager is at most admin, whatever the Team page or an earlier rule gave them), and a
    WordPress administrator becomes owner of a shop left without one (else nobody could grant it).
    """
    ceiling = identity.max_role
    if ceiling is None:
        return user
    if ROLE_ORDER[user.role] > ROLE_ORDER[ceiling]:
        user.role = ceiling
    elif ceiling == "owner" and user.role != "owner":
        if db.session.query(User.id).filter_by(shop_id=shop.id, role="owner").first() is not None:
            return user
        user.role = "owner"
    else:
        return user
    db.session.commit()
    return user


def request_token() -> str:
    """The bearer token of the call's Authorization header (a token in the URL is ignored)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ""


def authenticate(
    token: str | None = None, identity: Identity | None = None
) -> tuple[Shop, User, Identity]:
    """Verify the token (the header's by default), or take an identity verified already, and
    set g.shop_id, g.shop, g.user, g.identity; raises AuthError."""
    if identity is None:
        identity = verify_token(request_token() if token is None else token)
    shop = find_shop(identity)
    user = user_for(shop, identity)
    g.shop_id, g.shop, g.user, g.identity = shop.id, shop, user, identity
    return shop, user, identity


def has_role(user: User, min_role: str) -> bool:
    return ROLE_ORDER.get(user.role, -1) >= ROLE_ORDER[min_role]


def auth_error_response(error: AuthError):
    response = jsonify({"error": error.code, "message": error.message})
    response.status_code = 401
    # Tells Shopify's App Bridge (and our page) that a fresh session token is needed.
    response.headers["X-Shopify-Retry-Invalid-Session-Request"] = "1"
    return response


def require_shop(min_role: str = "viewer") -> Callable:
    """Decorator for JSON views: 401 without a valid token, 403 below `min_role`."""
    if min_role not in ROLE_ORDER:
        raise ValueError(f"unknown role {min_role!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            try:
                authenticate()
            except AuthError as error:
                return auth_error_response(error)
            if not has_role(g.user, min_role):
                response = jsonify(
                    {
                        "error": "forbidden",
                        "message": f"this needs the {min_role} role; you are {g.user.role}",
                        "required_role": min_role,
                    }
                )
                response.status_code = 403
                return response
            return view(*args, **kwargs)

        wrapped.min_role = min_role  # read by the OpenAPI generator
        return wrapped

    return decorate
