"""SP-API clients per (seller account, marketplace), and `call()`: rate limit, retry, log.

Clients come from python-amazon-sp-api with the endpoint and LWA address given explicitly (never
SP_API_DEFAULT_MARKETPLACE or module state; see PLATFORMS.md, traps). Every attempt is reported
to a recorder (the API log) with status, duration, request id and Amazon's error codes.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import certifi
import httpx
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import ApiResponse
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.exceptions import SellingApiException

from . import tokens
from .errors import (
    AmazonApiError,
    AmazonAuthorizationRevoked,
    AmazonConfigurationError,
    AmazonTemporaryError,
    AmazonThrottled,
)
from .ratelimit import RateLimiter
from .shared_tokens import SharedTokens

log = logging.getLogger("crossport.amazon")
AWS_REGIONS = {"NA": "us-east-1", "EU": "eu-west-1", "FE": "us-west-2"}
RETRY_STATUSES = {429, 500, 502, 503, 504}
GRANTLESS_CALLER = "application"  # the rate limiter's key for grantless calls


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate-verifying TLS context for every client of the process (loading the
    certificates costs tens of milliseconds; a context is safe to share between threads)."""
    return ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True)
class Endpoint:
    """What python-amazon-sp-api takes as `marketplace`: endpoint, marketplace id, AWS region."""

    endpoint: str
    marketplace_id: str
    region: str


@dataclass(frozen=True)
class SellerAccount:
    """Everything needed to call SP-API for one seller in one region."""

    shop_id: int | None
    selling_partner_id: str
    region: str  # NA | EU | FE
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class AppConfig:
    """The application's side: LWA credentials and addresses, from Settings."""

    lwa_client_id: str
    lwa_client_secret: str = field(repr=False)
    lwa_token_url: str
    endpoints: dict[str, str]
    speedup: float = 1.0
    timeout: float = 30.0  # seconds to wait for an answer (connecting: at most 5)

    @classmethod
    def from_settings(cls, settings) -> AppConfig:
        return cls(settings.lwa_client_id, settings.lwa_client_secret, settings.lwa_token_url,
                   dict(settings.spapi_endpoints), settings.spapi_rate_speedup)  # fmt: skip


@dataclass
class Attempt:
    """One HTTP attempt as the API log records it."""

    operation: str
    marketplace_id: str | None
    method: str = ""
    url_path: str = ""
    status: int = 0
    duration_ms: int = 0
    request_id: str | None = None
    rate_limit: str | None = None
    error_codes: list[str] = field(default_factory=list)
    error_message: str | None = None


class SpApiClient:
    """SP-API for one seller account; `api()` builds library clients, `call()` runs them."""

    def __init__(self, app: AppConfig, account: SellerAccount, limiter: RateLimiter, *,
                 recorder: Callable[[Attempt], None] | None = None,
                 on_revoked: Callable[[str], None] | None = None,
                 shared_tokens: SharedTokens | None = None,
                 max_attempts: int = 6) -> None:  # fmt: skip
        self.app, self.account, self.limiter = app, account, limiter
        self.recorder, self.on_revoked, self.max_attempts = recorder, on_revoked, max_attempts
        self._responses = threading.local()  # the last HTTP response seen by this thread
        self._token_class = tokens.token_client_class(app.lwa_token_url, _tls_context,
                                                      shared_tokens)  # fmt: skip
        self._clients: dict[tuple, object] = {}
        self._credentials = SimpleNamespace(lwa_app_id=app.lwa_client_id, refresh_token=None,
                                            lwa_client_secret=app.lwa_client_secret)  # fmt: skip

    def endpoint(self, marketplace_id: str) -> Endpoint:
        return Endpoint(self.app.endpoints[self.account.region], marketplace_id,
                        AWS_REGIONS[self.account.region])  # fmt: skip

    def api(self, api_class, marketplace_id: str, *, version: str | None = None,
            restricted_data_token: str | None = None):  # fmt: skip
        """A python-amazon-sp-api client bound to this seller and one marketplace (reused)."""
        if restricted_data_token:  # short-lived and per order: never kept
            return self._new_api(api_class, marketplace_id, version, restricted_data_token)
        key = (api_class, marketplace_id, version)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self._new_api(api_class, marketplace_id, version, None)
        return client

    def _new_api(self, api_class, marketplace_id, version, restricted_data_token):
        kwargs = {"version": version} if version else {}
        timeout = httpx.Timeout(self.app.timeout, connect=min(5.0, self.app.timeout))
        client = api_class(
            marketplace=self.endpoint(marketplace_id),
            refresh_token=self.account.refresh_token,
            credentials={"lwa_app_id": self.app.lwa_client_id,
                         "lwa_client_secret": self.app.lwa_client_secret},
            restricted_data_token=restricted_data_token,
            auth_token_client_class=self._token_class,
            timeout=timeout,
            verify=_tls_context(),  # shared: building one per client costs tens of ms
            **kwargs,
        )  # fmt: skip
        # The library's transport has no hook; ours records status and headers of every response
        # (a 429 with an empty body is otherwise an empty answer without an exception).
        client._transport = HttpxTransport(
            client=httpx.Client(
                timeout=timeout,
                verify=_tls_context(),
                follow_redirects=False,
                event_hooks={"response": [self._seen]},
            )
        )
        # SP_API_DEFAULT_MARKETPLACE, if someone set it, silently replaces the marketplace we
        # passed: put ours back (the library reads these attributes on every request).
        target = self.endpoint(marketplace_id)
        client.endpoint, client.marketplace_id = target.endpoint, target.marketplace_id
        client.region = target.region
        return client

    def _seen(self, response: httpx.Response) -> None:
        self._responses.last = response

    def call(self, operation: str, fn: Callable[[], ApiResponse], *,
             marketplace_id: str | None = None,
             grantless_scope: str = "",
             retry_throttled: bool = True) -> ApiResponse:  # fmt: skip
        """Run `fn` (one library call) under the rate limit, retrying 429, 5xx and timeouts.

        With `retry_throttled=False`, a 429 raises AmazonThrottled at once and leaves the
        operation's bucket as it is: for a refusal that is not the bucket's (a region's feed
        window), which retrying within seconds cannot cure and draining the bucket would
        spread to every region.

        With `grantless_scope`, `fn` makes a grantless call: the application's token of that
        scope is fetched instead of the seller's (which may be revoked), and the call counts
        against the application's rate limit, not the seller's.
        """
        seller = GRANTLESS_CALLER if grantless_scope else self.account.selling_partner_id
        refreshed = False
        for number in range(1, self.max_attempts + 1):
            attempt = Attempt(operation, marketplace_id)
            self._responses.last = None
            started = time.monotonic()
            outcome: ApiResponse | Exception
            try:
                # The access token first: a token fetched after taking the slot would delay
                # the request and bunch it with the next ones at Amazon.
                token_client = self._token_class(refresh_token=self.account.refresh_token,
                                                 credentials=self._credentials)  # fmt: skip
                if grantless_scope:
                    token_client.get_grantless_auth(grantless_scope)
                else:
                    token_client.get_auth()
                self.limiter.acquire(seller, operation)
                started = time.monotonic()
                outcome = fn()
            except (SellingApiException, AuthorizationError, httpx.HTTPError, ValueError) as exc:
                outcome = exc  # ValueError: an answer that is not JSON (a proxy's error page)
            attempt.duration_ms = int((time.monotonic() - started) * 1000)
            self._describe(attempt, outcome)
            self.record(attempt)
            if attempt.rate_limit:
                self.limiter.announce(seller, operation, attempt.rate_limit)
            if attempt.status == 429 and not retry_throttled:
                raise AmazonThrottled(
                    attempt.error_message or f"{operation} throttled (429)",
                    operation=operation, status=429, codes=tuple(attempt.error_codes),
                    request_id=attempt.request_id)  # fmt: skip
            if attempt.status == 429:
                self.limiter.penalize(seller, operation)
            if isinstance(outcome, AuthorizationError):
                self._lwa_failure(operation, outcome)  # raises unless worth retrying
            elif isinstance(outcome, ApiResponse) and attempt.status < 400:
                return outcome
            elif attempt.status == 403 and not refreshed:
                # an access token Amazon no longer honours: fetch a new one once
                self.forget_access_token(grantless_scope)
                refreshed = True
                continue
            elif attempt.status and attempt.status not in RETRY_STATUSES:
                raise AmazonApiError(
                    attempt.error_message or f"{operation} failed with {attempt.status}",
                    operation=operation,
                    status=attempt.status,
                    codes=tuple(attempt.error_codes),
                    request_id=attempt.request_id,
                )
            if number < self.max_attempts:
                time.sleep(self._backoff(number))
        raise AmazonTemporaryError(
            f"{operation} still failing after {self.max_attempts} attempts ({attempt.status})",
            operation=operation, status=attempt.status, codes=tuple(attempt.error_codes),
            request_id=attempt.request_id)  # fmt: skip

    def forget_access_token(self, grantless_scope: str = "") -> None:
        """Drop the cached access token (the seller's, or the application's of a scope) in this
        process and in the shared cache, so the next call fetches a new one."""
        self._token_class.forget(self.app.lwa_client_id, self.account.refresh_token,
                                 grantless_scope)  # fmt: skip

    def _describe(self, attempt: Attempt, outcome) -> None:
        response: httpx.Response | None = self._responses.last
        if response is not None:
            attempt.status = response.status_code
            attempt.method = response.request.method
            attempt.url_path = response.request.url.path
            attempt.request_id = response.headers.get("x-amzn-RequestId")
            attempt.rate_limit = response.headers.get("x-amzn-RateLimit-Limit")
        if isinstance(outcome, SellingApiException):
            errors = outcome.error if isinstance(outcome.error, list) else []
            attempt.error_codes = [str(e.get("code")) for e in errors if isinstance(e, dict)]
            attempt.error_message = "; ".join(str(e.get("message")) for e in errors
                                              if isinstance(e, dict))[:500]  # fmt: skip
            attempt.status = attempt.status or outcome.code
        elif isinstance(outcome, AuthorizationError):
            attempt.status, attempt.method = outcome.status_code or 0, "POST"
            attempt.url_path = self._token_class.path
            attempt.operation = "lwa:" + attempt.operation
            attempt.error_codes = [str(outcome.error_code)]
            attempt.error_message = str(outcome.message or "")[:500]
        elif isinstance(outcome, (httpx.HTTPError, ValueError)):
            attempt.status = 0 if response is None else attempt.status
            attempt.error_codes = [type(outcome).__name__]
            attempt.error_message = str(outcome)[:500]
        elif isinstance(outcome, ApiResponse) and attempt.status == 429:
            attempt.error_codes = ["QuotaExceeded"]  # the library hid an empty-bodied 429
        elif isinstance(outcome, ApiResponse) and isinstance(outcome.payload, dict):
            issues = outcome.payload.get("issues") or []
            attempt.error_codes = [
                str(i.get("code"))
                for i in issues
                if isinstance(i, dict) and i.get("severity") == "ERROR"
            ]

    def _lwa_failure(self, operation: str, error: AuthorizationError) -> None:
        if error.error_code == "invalid_grant":
            message = "Amazon refused the refresh token: the seller must reconnect the account."
            if self.on_revoked:
                self.on_revoked(message)
            raise AmazonAuthorizationRevoked(
                message, operation=operation, status=error.status_code, codes=("invalid_grant",)
            )
        if error.error_code in ("invalid_client", "unauthorized_client"):
            raise AmazonConfigurationError("Amazon refused the application's LWA credentials.",
                                           operation=operation, status=error.status_code,
                                           codes=(str(error.error_code),))  # fmt: skip
        if (error.status_code or 0) < 500:
            raise AmazonApiError(f"LWA refused the token request: {error.error_code}",
                                 operation=operation, status=error.status_code,
                                 codes=(str(error.error_code),))  # fmt: skip

    def _backoff(self, number: int) -> float:
        """Exponential backoff with full jitter; shortened by the emulator's speed-up."""
        return random.uniform(0, min(30.0, 0.5 * 2**number)) / max(self.app.speedup, 1.0)

    def record(self, attempt: Attempt) -> None:
        """Report one attempt to the API log (also used for document uploads and downloads)."""
        if self.recorder is None:
            return
        try:
            self.recorder(attempt)
        except Exception:  # the API log must never break the call it describes
            log.exception("could not record an API call")
