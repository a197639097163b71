"""Shopify OAuth: shop-domain check, install URL, callback HMAC, and the token grants
(authorization code with expiring=1, refresh with rotation, token exchange)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

import requests

from core.db import utcnow
from core.settings import Settings
from integrations.shopify.endpoints import authorize_url, token_url

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
# Seconds a callback's timestamp may be old or ahead (clock skew), as @shopify/shopify-api's
# HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC.
CALLBACK_MAX_AGE = 90
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


def callback_params(query_string: bytes) -> dict[str, str | list[str]]:
    """The query as Shopify's library reads it for the HMAC: a repeated key keeps its last value
    (@shopify/shopify-api lib/auth/oauth/oauth.ts: `Object.fromEntries(searchParams)`), and a
    key ending in `[]` (the admin's `ids[]=1&ids[]=2` links) keeps every value, in order.
    Raises ValueError when the query is not UTF-8."""
    text = query_string.decode("utf-8")  # UnicodeDecodeError is a ValueError
    params: dict[str, str | list[str]] = {}
    # '+' is a space and bad escapes are replaced, as URLSearchParams parses a query
    for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
        if key.endswith("[]"):
            values = params.get(key)
            params[key] = [*values, value] if isinstance(values, list) else [value]
        else:
            params[key] = value
    return params


# ICU's root collation of ASCII (what JavaScript's localeCompare sorts the keys by): whitespace
# and punctuation in this order, then digits, then letters case-blind, lower case first.
_ICU_PUNCTUATION = "\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _locale_order(key: str):
    primary = []
    for ch in key:
        if ch in _ICU_PUNCTUATION:
            primary.append((0, _ICU_PUNCTUATION.index(ch), ""))
        elif ch.isascii() and ch.isdigit():
            primary.append((1, ord(ch), ""))
        elif ch.isascii() and ch.isalpha():
            primary.append((2, 0, ch.lower()))
        else:
            primary.append((3, ord(ch), ""))
    return primary, [ch.isupper() for ch in key], key


def _form_encode(text: str) -> str:
    """URLSearchParams' serializer (application/x-www-form-urlencoded: only ASCII alphanumerics
    and *-._ stay), with '+' for a space then replaced by %20 as ProcessedQuery.stringify does."""
    return quote(text, safe="*").replace("~", "%7E")


def _admin_message(params: Mapping[str, str]) -> str:
    """@shopify/shopify-api stringifyQueryForAdmin: keys sorted by localeCompare, each pair
    form-encoded, joined by '&'."""
    keys = sorted(params, key=_locale_order)
    return "&".join(f"{_form_encode(k)}={_form_encode(params[k])}" for k in keys)


def _array_message(params: Mapping[str, str | list[str]]) -> str:
    """A query carrying `ids[]` arrays, as Shopify's admin signs it and shopify_python_api's
    Session.calculate_hmac computes it: `ids=["1", "2"]` (JSON list, ", " between), '%' and '&'
    escaped in keys and values and '=' in keys, pairs sorted as strings. (@shopify/shopify-api
    would sign only the last of the ids.)"""

    def pairs():
        for key, value in params.items():
            if key.endswith("[]"):
                key, value = key.rstrip("[]"), json.dumps([str(v) for v in value])
            key = key.replace("%", "%25").replace("=", "%3D")
            yield f"{key}={str(value).replace('%', '%25')}".replace("&", "%26")

    return "&".join(sorted(pairs()))


def callback_hmac(params: Mapping[str, str | list[str]], secret: str) -> str:
    """The lower-case hex HMAC-SHA256 Shopify puts in `hmac`, over every parameter but `hmac`
    and `signature`."""
    signed = {k: v for k, v in params.items() if k not in ("hmac", "signature")}
    arrays = any(isinstance(v, list) for v in signed.values())
    message = _array_message(signed) if arrays else _admin_message(signed)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_callback(
    params: Mapping[str, str | list[str]],
    secret: str,
    now: float | None = None,
    max_age: int = CALLBACK_MAX_AGE,
) -> bool:
    """The HMAC of the other parameters, byte for byte (lower-case hex only, as Shopify's library
    compares), and a timestamp within `max_age` seconds either way."""
    given = params.get("hmac")
    if not isinstance(given, str) or not given:
        return False
    expected = callback_hmac(params, secret).encode("ascii")
    # bytes: compare_digest refuses a str holding non-ASCII (a TypeError, so a 500)
    if not hmac.compare_digest(expected, given.encode("utf-8")):
        return False
    stamp = params.get("timestamp")
    if not isinstance(stamp, str) or not stamp.isascii() or not stamp.isdigit():
        return False
    now = time.time() if now is None else now
    return abs(now - int(stamp)) <= max_age


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
