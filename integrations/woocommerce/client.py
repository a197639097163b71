"""The WooCommerce REST client: the `woocommerce` library with timeouts, retries and the API log.

Every call goes through `WooClient.request`: the store URL is re-checked (urlcheck), redirects
are never followed, the timeout is always set, 429/5xx/timeouts are retried (a POST only when
the request surely never reached the store), and one ApiCall row is written per attempt.
Over https the library authenticates with HTTP Basic; over http (sandbox hosts only) it signs
one-legged OAuth 1.0a and sends the query parameters twice (in the signed URL and again as
`params`), which a real store accepts because PHP keeps the last of repeated parameters.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import requests
from woocommerce import API

from integrations.woocommerce.urlcheck import check_store_url

RETRY_STATUSES = {429, 500, 502, 503, 504}
Recorder = Callable[..., None]


class WooApiError(RuntimeError):
    """A final non-2xx answer (or no answer) from the store; `code` is WooCommerce's error code."""

    def __init__(self, status: int, code: str, message: str, operation: str) -> None:
        super().__init__(f"{operation}: {status} {code} {message}".strip())
        self.status, self.code, self.message, self.operation = status, code, message, operation

    @property
    def retryable(self) -> bool:
        """No answer, 429 or a 5xx: the same call may succeed later (jobs/failures.py reads it)."""
        return self.status == 0 or self.status in RETRY_STATUSES


def _default_recorder(**fields) -> None:
    from core.apilog import record_api_call

    record_api_call(**fields)


def _clean_params(params: dict | None) -> dict:
    # The library signs parse_qsl(urlencode(params)), which drops empty values that requests
    # would still send: a real store then refuses the signature. Send no empty values.
    cleaned = {}
    for key, value in (params or {}).items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        cleaned[key] = str(value)
    return cleaned


class WooClient:
    """Calls one store's wc/v3 API with its own keys; safe to share within a job, not global."""

    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        shop_id: int | None = None,
        sandbox_hosts: tuple[str, ...] = (),
        timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 0.5,
        recorder: Recorder | None = None,
    ) -> None:
        self.base_url = check_store_url(base_url, sandbox_hosts)
        self.sandbox_hosts = sandbox_hosts
        self.shop_id = shop_id
        self.retries = retries
        self.backoff = backoff
        self.recorder = recorder or _default_recorder
        self._checked_at = time.monotonic()
        self.api = API(
            url=self.base_url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            version="wc/v3",
            timeout=timeout,
            user_agent="Crossport/0.1 (+woocommerce)",
        )

    def _recheck(self) -> None:
        # DNS can change after connect: re-check the store's addresses once a minute.
        if time.monotonic() - self._checked_at > 60:
            check_store_url(self.base_url, self.sandbox_hosts)
            self._checked_at = time.monotonic()

    def request(
        self, method: str, endpoint: str, *, params: dict | None = None, data: dict | None = None
    ) -> requests.Response:
        """One logical call, retried on transient failures; raises WooApiError when it fails."""
        operation = f"{method} " + re.sub(r"/\d+", "/{id}", endpoint.strip("/"))
        attempt = 0
        while True:
            attempt += 1
            self._recheck()
            started = time.monotonic()
            status, code, message, answer, sent = 0, "", "", None, True
            try:
                answer = self._send(method, endpoint, params, data)
                status = answer.status_code
            except requests.ConnectTimeout as exc:
                message, sent = f"connect timeout: {exc.__class__.__name__}", False
            except requests.ConnectionError as exc:
                message = f"connection error: {exc.__class__.__name__}"
            except requests.Timeout as exc:
                message = f"timeout: {exc.__class__.__name__}"
            if answer is not None and status >= 300:
                code, message = _error_of(answer)
            self.recorder(
                shop_id=self.shop_id,
                platform="woocommerce",
                operation=operation,
                method=method,
                url_path=f"/wp-json/wc/v3/{endpoint.strip('/')}",
                status_code=status,
                duration_ms=int((time.monotonic() - started) * 1000),
                error_codes=[code] if code else [],
                error_message=message or None,
            )
            if answer is not None and 200 <= status < 300:
                return answer
            retryable = (status == 0 or status in RETRY_STATUSES) and (
                method != "POST" or not sent or status in (429, 503)
            )
            if not retryable or attempt > self.retries:
                raise WooApiError(status, code, message, operation)
            time.sleep(self.backoff * attempt)

    def _send(
        self, method: str, endpoint: str, params: dict | None, data: dict | None
    ) -> requests.Response:
        kwargs = {"params": _clean_params(params), "allow_redirects": False}
        if method == "GET":
            return self.api.get(endpoint, **kwargs)
        if method == "POST":
            return self.api.post(endpoint, data or {}, **kwargs)
        if method == "PUT":
            return self.api.put(endpoint, data or {}, **kwargs)
        if method == "DELETE":
            return self.api.delete(endpoint, **kwargs)
        raise ValueError(f"unsupported method {method}")

    def get(self, endpoint: str, **params) -> dict | list:
        return self.request("GET", endpoint, params=params).json()

    def post(self, endpoint: str, data: dict) -> dict:
        return self.request("POST", endpoint, data=data).json()

    def put(self, endpoint: str, data: dict) -> dict:
        return self.request("PUT", endpoint, data=data).json()

    def delete(self, endpoint: str, **params) -> dict:
        return self.request("DELETE", endpoint, params=params).json()

    def paginate(self, endpoint: str, per_page: int = 100, **params) -> Iterator[dict]:
        """Every item of a collection, page by page, as X-WP-TotalPages announces them."""
        page = 1
        while True:
            answer = self.request(
                "GET", endpoint, params={**params, "page": page, "per_page": per_page}
            )
            items = answer.json()
            yield from items
            pages = int(answer.headers.get("X-WP-TotalPages", "0") or 0)
            if page >= pages or not items:
                return
            page += 1


def _error_of(answer: requests.Response) -> tuple[str, str]:
    try:
        body = answer.json()
    except ValueError:
        return "", answer.text[:200]
    if isinstance(body, dict):
        return str(body.get("code", "")), str(body.get("message", ""))
    return "", ""
