"""REST authentication exactly as WooCommerce's WC_REST_Authentication does it.

Over https: HTTP Basic or `consumer_key`/`consumer_secret` query parameters. Over plain http:
only one-legged OAuth 1.0a (HMAC-SHA1 or HMAC-SHA256, the parameters in the query string, the
form body or an `Authorization: OAuth` header), a timestamp within 15 minutes and a nonce never
reused by the same key. Parameters repeated in the query string count once with the last value,
as PHP's `$_GET` does, which is why the `woocommerce` client's doubled query parameters pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, unquote

from flask import Request

from sandbox.woocommerce.state import ApiKey, StoreState

WINDOW = 15 * 60
REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


class AuthError(Exception):
    """A refusal, carrying WooCommerce's error code, message and status."""

    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _php_query(raw: str) -> dict[str, str]:
    """Parse a query string like PHP: a repeated key keeps its last value."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        params[key] = value
    return params


def _rfc3986(value: str) -> str:
    # wc_rest_urlencode_rfc3986: rawurlencode, then '+' -> ' ' and '%7E' -> '~'.
    return quote(value, safe="-_.~").replace("+", " ")


def _oauth_header(header: str) -> dict[str, str]:
    if not header.lower().startswith("oauth "):
        return {}
    params = {}
    for part in header[6:].split(","):
        if "=" in part:
            key, value = part.strip().split("=", 1)
            params[key.strip()] = unquote(value.strip().strip('"'))
    return params


def signature_base(method: str, url: str, params: dict[str, str]) -> str:
    """The OAuth 1.0a base string as WooCommerce builds it (params without the signature)."""
    ordered = sorted(params.items(), key=lambda kv: kv[0])
    joined = "%26".join(_rfc3986(_rfc3986(k) + "=" + _rfc3986(v)) for k, v in ordered)
    return f"{method.upper()}&{_rfc3986(url)}&{joined}"


def sign(method: str, url: str, params: dict[str, str], secret: str, algorithm: str) -> str:
    """Base64 HMAC of the base string keyed with `secret&` (tests use it to forge signatures)."""
    digest = hashlib.sha1 if algorithm == "HMAC-SHA1" else hashlib.sha256
    base = signature_base(method, url, params)
    return base64.b64encode(
        hmac.new((secret + "&").encode(), base.encode(), digest).digest()
    ).decode()


def _check_oauth(state: StoreState, req: Request) -> ApiKey | None:
    params = _php_query(req.query_string.decode("latin-1"))
    if req.mimetype == "application/x-www-form-urlencoded":
        params.update(req.form.to_dict())
    params.update(_oauth_header(req.headers.get("Authorization", "")))
    present = [p for p in REQUIRED if params.get(p)]
    if not present:
        return None  # not authenticated at all: the route refuses with its own message
    missing = [p for p in REQUIRED if not params.get(p)]
    if missing:
        raise AuthError(
            "woocommerce_rest_authentication_error",
            "Missing OAuth parameter(s) " + ", ".join(missing),
        )
    with state.lock:
        key = state.keys.get(params["oauth_consumer_key"])
    if key is None:
        raise AuthError("woocommerce_rest_authentication_error", "Consumer key is invalid.")
    method = params["oauth_signature_method"]
    if method not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise AuthError(
            "woocommerce_rest_authentication_error",
            "Invalid signature - signature method is invalid.",
        )
    given = unquote(params.pop("oauth_signature").replace(" ", "+"))
    url = state.base() + req.path
    expected = sign(req.method, url, params, key.consumer_secret, method)
    if not hmac.compare_digest(expected, given):
        raise AuthError(
            "woocommerce_rest_authentication_error",
            "Invalid signature - provided signature does not match.",
        )
    _check_timestamp_and_nonce(state, key, params["oauth_timestamp"], params["oauth_nonce"])
    return key


def _check_timestamp_and_nonce(state: StoreState, key: ApiKey, timestamp: str, nonce: str) -> None:
    now = int(time.time() + state.clock_offset.total_seconds())
    try:
        stamp = int(timestamp)
    except ValueError:
        stamp = 0
    if stamp < now - WINDOW or stamp > now + WINDOW:
        raise AuthError("woocommerce_rest_authentication_error", "Invalid timestamp.")
    with state.lock:
        if nonce in key.nonces:
            raise AuthError(
                "woocommerce_rest_authentication_error",
                "Invalid nonce - nonce has already been used.",
            )
        key.nonces[nonce] = stamp
        for old, when in list(key.nonces.items()):
            if when < now - WINDOW:
                del key.nonces[old]


def _check_basic(state: StoreState, req: Request) -> ApiKey | None:
    ck = cs = None
    if req.authorization and req.authorization.type == "basic":
        ck, cs = req.authorization.username, req.authorization.password
    elif req.args.get("consumer_key"):
        ck, cs = req.args.get("consumer_key"), req.args.get("consumer_secret", "")
    if not ck:
        return None
    with state.lock:
        key = state.keys.get(ck)
    if key is None:
        raise AuthError("woocommerce_rest_authentication_error", "Consumer key is invalid.")
    if not hmac.compare_digest(key.consumer_secret, cs or ""):
        raise AuthError("woocommerce_rest_authentication_error", "Consumer secret is invalid.")
    return key


def authenticate(state: StoreState, req: Request) -> ApiKey:
    """The key a request authenticates as, or AuthError with WooCommerce's answer."""
    key = _check_basic(state, req) if req.is_secure else _check_oauth(state, req)
    if key is None:
        raise AuthError("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
    needed = "read" if req.method in ("GET", "HEAD", "OPTIONS") else "write"
    if needed not in key.permissions:
        raise AuthError(
            "woocommerce_rest_authentication_error",
            f"The API key provided does not have {needed} permissions.",
        )
    return key
