"""Login with Amazon for python-amazon-sp-api, pointed at a configurable token URL.

The library takes the LWA address from class attributes of `AccessTokenClient` and caches access
tokens in a module-wide dict keyed by refresh token only (PLATFORMS.md, traps). This subclass
takes the URL from settings and keeps its own cache keyed by (token URL, client id, refresh
token, scope), which a caller can drop when Amazon rejects a token. Given a `SharedTokens`, a token
missing from the process's cache is looked up in Redis (encrypted) before asking LWA, so the RQ
work horses, each a fresh fork, share one token instead of fetching one per job.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient, AccessTokenResponse
from sp_api.auth.credentials import Credentials
from sp_api.base._transport_httpx import HttpxTransport

from .shared_tokens import SharedTokens

_cache: dict[tuple, tuple[dict, float]] = {}
_lock = threading.Lock()
EARLY_SECONDS = 120  # renew this long before Amazon's expiry


def token_client_class(
    token_url: str,
    tls_context: Callable[[], ssl.SSLContext] | None = None,
    shared: SharedTokens | None = None,
) -> type[_CachingTokenClient]:
    """An AccessTokenClient class that talks to `token_url` (Amazon, or the emulator), with
    `tls_context()` for its HTTPS connections when given, sharing tokens through `shared`."""
    parts = urlsplit(token_url)
    attributes = {
        "scheme": f"{parts.scheme}://",
        "host": parts.netloc,
        "path": parts.path,
        "tls_context": staticmethod(tls_context or ssl.create_default_context),
        "shared": shared,
    }
    return type("CrossportAccessTokenClient", (_CachingTokenClient,), attributes)


class _CachingTokenClient(AccessTokenClient):
    tls_context: Callable[[], ssl.SSLContext]
    shared: SharedTokens | None = None

    def __init__(self, refresh_token=None, credentials=None, proxies=None, verify=None):
        # The library builds an HTTP client (with a TLS context: tens of ms) in every token
        # client, and one is made per call while the token is nearly always cached: the HTTP
        # client is built on first use instead.
        self.cred = Credentials(refresh_token, credentials)
        self.proxies = proxies
        self.verify = verify
        self._http: HttpxTransport | None = None

    @property
    def _transport(self) -> HttpxTransport:
        if self._http is None:
            verify = self.verify if self.verify is not None else self.tls_context()
            self._http = HttpxTransport(proxies=self.proxies, verify=verify)
        return self._http

    @classmethod
    def cache_key(cls, client_id: str, refresh_token: str, flavour: str = "") -> tuple:
        """Which token: the seller's (flavour "") or the application's grantless one of a scope."""
        return (cls.scheme + cls.host + cls.path, client_id, refresh_token or "", flavour)

    def _key(self, flavour: str) -> tuple:
        return self.cache_key(self.cred.client_id, self.cred.refresh_token, flavour)

    def _cached(self, key: tuple, fetch) -> AccessTokenResponse:
        now = time.monotonic()
        with _lock:
            found = _cache.get(key)
        if found and found[1] > now:
            return AccessTokenResponse(**found[0])

        def fetch_with_lifetime() -> tuple[dict, float]:
            data = fetch()
            return data, max(float(data.get("expires_in") or 3600) - EARLY_SECONDS, 30)

        if self.shared is not None:
            data, lifetime = self.shared.fetch_once(key, fetch_with_lifetime)
        else:
            data, lifetime = fetch_with_lifetime()
        with _lock:
            _cache[key] = (data, now + lifetime)
        return AccessTokenResponse(**data)

    @classmethod
    def forget(cls, client_id: str, refresh_token: str, flavour: str = "") -> None:
        """Drop one token everywhere it is cached (Amazon refused it)."""
        key = cls.cache_key(client_id, refresh_token, flavour)
        with _lock:
            _cache.pop(key, None)
        if cls.shared is not None:
            cls.shared.drop(key)

    def get_auth(self) -> AccessTokenResponse:
        url = self.scheme + self.host + self.path
        return self._cached(self._key(""), lambda: self._request(url, self.data, self.headers))

    def get_grantless_auth(self, scope: str = "sellingpartnerapi::notifications"):
        url = self.scheme + self.host + self.path
        data = self.grantless_data(scope)
        return self._cached(self._key(scope), lambda: self._request(url, data, self.headers))


def forget(refresh_token: str) -> None:
    """Drop this process's cached access tokens of a refresh token (tests; see `forget` on the
    token class for dropping a shared one as well)."""
    with _lock:
        for key in [k for k in _cache if k[2] == refresh_token]:
            del _cache[key]
