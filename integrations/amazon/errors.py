"""What can go wrong talking to Amazon, split by what the caller should do about it."""

from __future__ import annotations


class AmazonError(Exception):
    """Base of every SP-API failure; `retryable` tells a job whether to try again later."""

    retryable = False

    def __init__(self, message: str, *, operation: str = "", status: int = 0,
                 codes: tuple[str, ...] = (), request_id: str | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.operation = operation
        self.status = status
        self.codes = codes
        self.request_id = request_id


class AmazonApiError(AmazonError):
    """Amazon refused the request (a 4xx other than 429): fix the request, do not retry."""


class AmazonTemporaryError(AmazonError):
    """Throttled, a server error or no answer, still so after every retry: retry the job later."""

    retryable = True


class AmazonThrottled(AmazonTemporaryError):
    """Amazon answered 429 to a call made with `retry_throttled=False`: the caller decides what
    the refusal costs (a feed refused for one region's 5-per-5-minutes rule costs that region a
    wait, not the selling partner's whole createFeed budget)."""


class AmazonAuthorizationRevoked(AmazonError):
    """The seller revoked the app or the refresh token is invalid: the account needs
    reconnecting, and nothing retries until it is."""


class AmazonConfigurationError(AmazonError):
    """Our own LWA client credentials were refused (invalid_client)."""
