"""Installing Crossport from the Shopify admin: /shopify/install and /shopify/callback (OAuth),
and /shopify/session for the embedded page's token exchange."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, make_response, redirect, request
from sqlalchemy import select, update

from core.browser_binding import (
    clear_browser_cookie,
    new_browser_secret,
    same_browser,
    set_browser_cookie,
)
from core.db import db, utcnow
from core.models import AuthState, Shop
from integrations.shopify import oauth
from integrations.shopify.install import finish_installation, save_installation
from integrations.shopify.session_token import InvalidSessionToken, decode_session_token
from web.installed import on_store_installed

log = logging.getLogger("crossport.web")
bp = Blueprint("shopify_install", __name__)

STATE_TTL = timedelta(minutes=10)
COOKIE = "crossport_shopify_state"
PURPOSE = "shopify_install"


def _settings():
    return current_app.config["SETTINGS"]


def _redis():
    from core.redis import get_redis

    return get_redis()


def _bad(message: str, status: int = 400):
    return make_response(message, status, {"Content-Type": "text/plain; charset=utf-8"})


@bp.get("/shopify/install")
def install():
    """Start OAuth: check the shop before anything goes out, bind a single-use state."""
    settings = _settings()
    shop = request.args.get("shop", "")
    if not oauth.valid_shop_domain(shop):
        return _bad("shop must be a bare *.myshopify.com domain")
    nonce = secrets.token_urlsafe(32)
    browser, browser_digest = new_browser_secret()  # the state is bound to this browser
    db.session.add(
        AuthState(
            nonce=nonce,
            purpose=PURPOSE,
            expires_at=utcnow() + STATE_TTL,
            binding={"shop": shop, "browser": browser_digest},
        )
    )
    db.session.commit()
    redirect_uri = f"{settings.public_url.rstrip('/')}/shopify/callback"
    response = redirect(oauth.install_redirect_url(settings, shop, nonce, redirect_uri))
    secure = settings.public_url.startswith("https")
    set_browser_cookie(
        response,
        COOKIE,
        browser,
        path="/shopify",
        max_age=int(STATE_TTL.total_seconds()),
        secure=secure,
    )
    return response


def _claim_state(nonce: str, shop: str, browser: str | None) -> bool:
    """Use the state once: it must exist, be fresh, name this shop and this browser."""
    row = db.session.scalars(
        select(AuthState).where(AuthState.nonce == nonce, AuthState.purpose == PURPOSE)
    ).one_or_none()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return False
    binding = row.binding or {}
    if binding.get("shop") != shop or not same_browser(binding.get("browser"), browser):
        return False
    # Conditional update: of two concurrent callbacks with the same state, one wins.
    claimed = db.session.execute(
        update(AuthState)
        .where(AuthState.id == row.id, AuthState.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.commit()
    return claimed.rowcount == 1


@bp.get("/shopify/callback")
def callback():
    settings = _settings()
    try:  # the values the signature covers are the ones used below (a repeated key: its last)
        params = oauth.callback_params(request.query_string)
    except ValueError:
        return _bad("the query string is not UTF-8")
    shop = params.get("shop", "")
    if not isinstance(shop, str) or not oauth.valid_shop_domain(shop):
        return _bad("invalid shop")
    if not oauth.verify_callback(params, settings.shopify_api_secret):
        return _bad("invalid or stale signature", 401)
    if not _claim_state(params.get("state", ""), shop, request.cookies.get(COOKIE)):
        return _bad("invalid, used or foreign state", 403)
    try:
        tokens = oauth.exchange_code(settings, shop, params.get("code", ""))
    except oauth.OAuthError as exc:
        log.warning("shopify code exchange failed", extra={"error": str(exc)})
        return _bad("Shopify refused the authorization code; please install again", 502)
    record = save_installation(settings, shop, tokens)
    finish_installation(settings, record, _redis())
    on_store_installed(record.id)
    query = {"shop": shop}
    if params.get("host"):
        query["host"] = params["host"]
    response = redirect(f"/app?{urlencode(query)}")
    clear_browser_cookie(response, COOKIE, path="/shopify")
    return response


@bp.post("/shopify/session")
def session_exchange():
    """The embedded page's first call: verify its session token; when the shop has no usable
    tokens (managed install, or after a reinstall), exchange the session token for them."""
    settings = _settings()
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    try:
        claims = decode_session_token(token, settings.shopify_api_key, settings.shopify_api_secret)
    except InvalidSessionToken as exc:
        return jsonify(error="token_expired" if exc.expired else "token_invalid"), 401
    shop = db.session.scalars(
        select(Shop).where(Shop.platform == "shopify", Shop.domain == claims.shop)
    ).one_or_none()
    connected = (
        shop is not None
        and shop.status == "installed"
        and shop.connection is not None
        and shop.connection.access_token
    )
    if not connected:
        try:
            tokens = oauth.token_exchange(settings, claims.shop, token)
        except oauth.OAuthError:
            return jsonify(error="token_exchange_failed"), 502
        shop = save_installation(settings, claims.shop, tokens)
        finish_installation(settings, shop, _redis())
        on_store_installed(shop.id)
    return jsonify(shop=claims.shop, shop_id=shop.id, installed=True)
