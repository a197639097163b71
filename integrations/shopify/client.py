"""Crossport's own Shopify GraphQL client: explicit per-shop credentials, timeouts always set,
cost-aware pacing, retries on THROTTLED and 5xx, a token refresh on 401, one API log row per call.

ShopifyAPI's GraphQL has no timeout, keeps the shop's token in process-global state and
ignores THROTTLED, so it is not used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import requests

from core.apilog import record_api_call
from integrations.shopify.pacing import SharedBucket
from integrations.shopify.queries import document

log = logging.getLogger("crossport.shopify")
TIMEOUT = (5, 30)
DEFAULT_COST = 50.0
TRANSIENT_BACKOFF = (0.5, 1.0, 2.0, 4.0)
MAX_THROTTLED_RETRIES = 50
# Names the deprecated fields a query used (since 2025-04 the list of them, e.g. "Shop.products";
# https://shopify.dev/changelog/graphql-return-actual-deprecation-reasons).
DEPRECATED_HEADER = "X-Shopify-API-Deprecated-Reason"


class ShopifyError(Exception):
    """A call failed for good; `retryable` says whether running the job again may help."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        codes: tuple[str, ...] = (),
        retryable: bool = False,
        errors: list | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.codes = codes
        self.retryable = retryable
        self.errors = errors or []


class ShopifyGraphQL:
    """GraphQL calls for one shop. `tokens` has current() and refresh(failed_token)."""

    def __init__(
        self,
        *,
        url: str,
        shop_id: int | None,
        shop: str,
        tokens,
        redis=None,
        session: requests.Session | None = None,
        sleep: Callable = time.sleep,
        log_calls: bool = True,
        key_prefix: str = "",
    ):
        self.url = url
        self.shop_id = shop_id
        self.shop = shop
        self.tokens = tokens
        self.key_prefix = key_prefix  # of every Redis key this shop's calls use (the environment's)
        self.bucket = SharedBucket(shop, redis, key_prefix)
        self.http = session or requests.Session()
        self.sleep = sleep
        self.log_calls = log_calls
        self._costs: dict[str, float] = {}  # last requested cost per document

    def execute(self, name: str, variables: dict | None = None) -> dict:
        """Run document `name` (from ./graphql/) and return its `data`."""
        doc = document(name)
        body = {"query": doc.source, "variables": variables or {}}
        transient = 0
        throttled = 0
        refreshed = False
        token = self.tokens.current()
        while True:
            self.bucket.wait_for(self._costs.get(name, DEFAULT_COST), self.sleep)
            status, payload, request_id, error = self._post(name, body, token)
            if status == 401 and not refreshed:
                refreshed = True
                token = self.tokens.refresh(failed_token=token)
                continue
            if status == 0 or status >= 500 or status == 429:
                # A mutation whose answer was lost may have happened: the job retries it after
                # its own lookup (create_order is idempotent by source identifier).
                if doc.is_mutation or transient >= len(TRANSIENT_BACKOFF):
                    raise ShopifyError(f"{name}: {error or status}", status=status, retryable=True)
                self.sleep(TRANSIENT_BACKOFF[transient])
                transient += 1
                continue
            if status != 200:
                raise ShopifyError(f"{name}: HTTP {status} {error}", status=status)
            cost = (payload.get("extensions") or {}).get("cost") or {}
            if cost.get("throttleStatus"):
                self.bucket.observe(cost["throttleStatus"])
            if cost.get("requestedQueryCost"):
                self._costs[name] = float(cost["requestedQueryCost"])
            errors = payload.get("errors") or []
            codes = tuple(
                str((e.get("extensions") or {}).get("code", ""))
                for e in errors
                if isinstance(e, dict)
            )
            if "THROTTLED" in codes:
                throttled += 1
                if throttled > MAX_THROTTLED_RETRIES:
                    raise ShopifyError(f"{name}: throttled", codes=codes, retryable=True)
                self.sleep(self._throttle_wait(cost))
                continue
            if errors and payload.get("data") is None:
                messages = "; ".join(
                    str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
                )
                raise ShopifyError(f"{name}: {messages}", status=200, codes=codes, errors=errors)
            return payload.get("data") or {}

    def _throttle_wait(self, cost: dict) -> float:
        status = cost.get("throttleStatus") or {}
        try:
            missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
            return max(0.05, missing / float(status["restoreRate"]))
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return 1.0

    def _post(self, name: str, body: dict, token: str):
        started = time.monotonic()
        status, payload, request_id, error = 0, {}, None, ""
        notices: list[tuple[str, str]] = []  # (API log code, text) worth a warning
        try:
            response = self.http.post(
                self.url,
                json=body,
                timeout=TIMEOUT,
                allow_redirects=False,
                headers={
                    "X-Shopify-Access-Token": token,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
            status = response.status_code
            request_id = response.headers.get("X-Request-Id")
            notices = self._notices(response.headers)
            for code, text in notices:
                log.warning(
                    "shopify %s in %s: %s",
                    code.lower(),
                    name,
                    text,
                    extra={"shop": self.shop, "operation": name, "request_id": request_id},
                )
            try:
                payload = response.json()
            except ValueError:
                payload = {}
            if not isinstance(payload, dict):
                payload = {}
            if status != 200:
                error = str(payload.get("errors", ""))[:300]
        except requests.RequestException as exc:
            error = type(exc).__name__
        self._log(name, status, started, request_id, payload, error, notices)
        return status, payload, request_id, error

    def _notices(self, headers) -> list[tuple[str, str]]:
        """What an answer says Crossport must change before it breaks: the deprecated fields a
        document used (they go away in a later version), and a version other than the one
        asked for (Shopify serves a retired version's requests with the oldest supported one,
        https://shopify.dev/docs/api/usage/versioning, and says so only in this header)."""
        found = []
        deprecated = headers.get(DEPRECATED_HEADER, "")
        if deprecated:
            found.append(("DEPRECATED", deprecated[:300]))
        served = headers.get("X-Shopify-API-Version", "")
        asked = urlsplit(self.url).path.split("/admin/api/", 1)[-1].split("/", 1)[0]
        if served and served != asked:
            found.append(("VERSION_FALLBACK", f"asked for {asked}, served {served}"))
        return found

    def _log(self, name, status, started, request_id, payload, error, notices=()) -> None:
        if not self.log_calls:
            return
        errors = payload.get("errors") if isinstance(payload.get("errors"), list) else []
        codes = [
            str((e.get("extensions") or {}).get("code"))
            for e in errors
            if isinstance(e, dict) and (e.get("extensions") or {}).get("code")
        ]
        if status in (401, 0) or status >= 500:
            codes.append(f"HTTP_{status}")
        message = (
            error
            or "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))[:500]
        )
        for code, text in notices:
            codes.append(code)
            message = "; ".join(filter(None, [message, f"{code.lower()}: {text}"]))
        record_api_call(
            shop_id=self.shop_id,
            platform="shopify",
            operation=name,
            method="POST",
            url_path=urlsplit(self.url).path,
            status_code=status,
            duration_ms=int((time.monotonic() - started) * 1000),
            request_id=request_id,
            error_codes=codes,
            error_message=message,
        )

    def paginate(self, name: str, variables: dict, path: tuple[str, ...]) -> Iterator[dict]:
        """Every node of the connection at `path` in the data, page after page."""
        after = None
        while True:
            data = self.execute(name, {**variables, "after": after})
            conn = data
            for key in path:
                conn = (conn or {}).get(key) or {}
            yield from conn.get("nodes") or []
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")
