"""Login with Amazon for python-amazon-sp-api, pointed at a configurable token URL.

The library takes the LWA address from class attributes of `AccessTokenClient` and caches access
tokens in a module-wide dict keyed by refresh token only (PLATFORMS.md, traps). This subclass
takes the URL from settings and keeps its own cache keyed by (token URL, client id, refresh
token), which a caller can drop when Amazon rejects a token.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient, AccessTokenResponse

_cache: dict[tuple, tuple[dict, float]] = {}
_lock = threading.Lock()
EARLY_SECONDS = 120  # renew this long before Amazon's expiry


def token_client_class(token_url: str) -> type[AccessTokenClient]:
    """An AccessTokenClient class that talks to `token_url` (Amazon, or the emulator)."""
    parts = urlsplit(token_url)
    attributes = {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path}
    return type("CrossportAccessTokenClient", (_CachingTokenClient,), attributes)


class _CachingTokenClient(AccessTokenClient):
    def _key(self, flavour: str) -> tuple:
        url = self.scheme + self.host + self.path
        return (url, self.cred.client_id, self.cred.refresh_token or "", flavour)

    def _cached(self, key: tuple, fetch) -> AccessTokenResponse:
        now = time.monotonic()
        with _lock:
            found = _cache.get(key)
        if found and found[1] > now:
            return AccessTokenResponse(**found[0])
        data = fetch()
        lifetime = float(data.get("expires_in") or 3600) - EARLY_SECONDS
        with _lock:
            _cache[key] = (data, now + max(lifetime, 30))
        return AccessTokenResponse(**data)

    def get_auth(self) -> AccessTokenResponse:
        url = self.scheme + self.host + self.path
        return self._cached(self._key(""), lambda: self._request(url, self.data, self.headers))

    def get_grantless_auth(self, scope: str = "sellingpartnerapi::notifications"):
        url = self.scheme + self.host + self.path
        data = self.grantless_data(scope)
        return self._cached(self._key(scope), lambda: self._request(url, data, self.headers))


def forget(refresh_token: str) -> None:
    """Drop cached access tokens of a refresh token (after Amazon refused one)."""
    with _lock:
        for key in [k for k in _cache if k[2] == refresh_token]:
            del _cache[key]
