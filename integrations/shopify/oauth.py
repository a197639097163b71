"""Shopify OAuth: shop-domain check, install URL, callback HMAC, and the token grants
(authorization code with expiring=1, refresh with rotation, token exchange)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests

from core.db import utcnow
from core.settings import Settings
from integrations.shopify.endpoints import authorize_url, token_url

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
CALLBACK_MAX_AGE = 300  # seconds a callback's timestamp may be old (or ahead: clock skew)
TIMEOUT = (5, 20)
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


class OAuthError(Exception):
    """A grant was refused; `status` is the HTTP status (0 when no answer came)."""

    def __init__(self, message: str, status: int = 0, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


def valid_shop_domain(shop: str | None) -> bool:
    """Only a bare myshopify host: no scheme, port, path, userinfo or other domain."""
    return bool(shop) and len(shop) <= 255 and SHOP_DOMAIN.fullmatch(shop) is not None


def install_redirect_url(settings: Settings, shop: str, state: str, redirect_uri: str) -> str:
    """Where the browser goes to approve the app (offline access: no grant_options)."""
    query = urlencode(
        {
            "client_id": settings.shopify_api_key,
            "scope": settings.shopify_scopes,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{authorize_url(settings, shop)}?{query}"


def verify_callback(
    params: Mapping[str, str],
    secret: str,
    now: float | None = None,
    max_age: int = CALLBACK_MAX_AGE,
) -> bool:
    """The hex HMAC-SHA256 of the sorted other parameters, and a fresh timestamp."""
    given = params.get("hmac") or ""
    message = "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature")
    )
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    # bytes: compare_digest refuses a str holding non-ASCII (a TypeError, so a 500)
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        return False
    try:
        stamp = int(params.get("timestamp", ""))
    except ValueError:
        return False
    now = time.time() if now is None else now
    return abs(now - stamp) <= max_age


@dataclass(frozen=True)
class TokenSet:
    """What a grant returned; expiry times are naive UTC like the database's."""

    access_token: str
    scope: str
    expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None


def _grant(settings: Settings, shop: str, form: dict) -> TokenSet:
    if not valid_shop_domain(shop):
        raise OAuthError(f"refusing to contact {shop!r}: not a myshopify domain")
    body = {"client_id": settings.shopify_api_key, "client_secret": settings.shopify_api_secret}
    body.update(form)
    try:
        response = requests.post(
            token_url(settings, shop),
            json=body,
            timeout=TIMEOUT,
            allow_redirects=False,
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as exc:
        raise OAuthError(f"token endpoint unreachable: {type(exc).__name__}") from None
    if response.status_code != 200:
        try:
            code = response.json().get("error", "")
        except ValueError:
            code = ""
        raise OAuthError(
            f"token grant refused ({response.status_code} {code})", response.status_code, code
        )
    data = response.json()
    now = utcnow()
    return TokenSet(
        access_token=data["access_token"],
        scope=data.get("scope", ""),
        expires_at=now + timedelta(seconds=int(data["expires_in"]))
        if data.get("expires_in")
        else None,
        refresh_token=data.get("refresh_token"),
        refresh_expires_at=now + timedelta(seconds=int(data["refresh_token_expires_in"]))
        if data.get("refresh_token_expires_in")
        else None,
    )


def exchange_code(settings: Settings, shop: str, code: str) -> TokenSet:
    """The install's authorization code for an expiring offline token and its refresh token."""
    return _grant(settings, shop, {"code": code, "expiring": "1"})


def refresh(settings: Settings, shop: str, refresh_token: str) -> TokenSet:
    """A new access token and a new refresh token (the old one dies once the new one is used)."""
    return _grant(settings, shop, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def token_exchange(settings: Settings, shop: str, session_token: str) -> TokenSet:
    """An App Bridge session token for an expiring offline token (embedded install path)."""
    return _grant(
        settings,
        shop,
        {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": session_token,
            "subject_token_type": ID_TOKEN_TYPE,
            "requested_token_type": OFFLINE_TOKEN_TYPE,
            "expiring": "1",
        },
    )
