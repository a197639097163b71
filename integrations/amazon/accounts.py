"""SP-API clients for stored Amazon accounts: settings, the shared limiter, the API log. What
happens when a seller's authorization is revoked is the caller's to say (`on_revoked`): the
account's lifecycle lives in jobs/accounts.py."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app

from core.apilog import record_api_call
from core.crypto import active_keyring
from core.models import AmazonAccount
from core.redis import get_redis

from .client import AppConfig, Attempt, SellerAccount, SpApiClient
from .errors import AmazonAuthorizationRevoked
from .ratelimit import RateLimiter
from .shared_tokens import SharedTokens

log = logging.getLogger("crossport.amazon")


def limiter() -> RateLimiter:
    """The Redis-shared rate limiter of the current app."""
    settings = current_app.config["SETTINGS"]
    return RateLimiter(get_redis(), speedup=settings.spapi_rate_speedup,
                       prefix=settings.queue_prefix)  # fmt: skip


def shared_tokens() -> SharedTokens:
    """LWA access tokens shared by the app's processes (each RQ job is a fresh fork)."""
    settings = current_app.config["SETTINGS"]
    return SharedTokens(get_redis(), active_keyring(), prefix=settings.queue_prefix)


def client_for(
    account: AmazonAccount, on_revoked: Callable[[str], None] | None = None
) -> SpApiClient:
    """An SP-API client for a connected account; AmazonAuthorizationRevoked when it is not.
    `on_revoked(reason)` runs when Amazon says the seller's authorization is gone."""
    if account.status != "connected" or not account.refresh_token:
        raise AmazonAuthorizationRevoked(
            f"The Amazon {account.region} account is {account.status}: reconnect it first."
        )
    settings = current_app.config["SETTINGS"]
    seller = SellerAccount(account.shop_id, account.selling_partner_id, account.region,
                           account.refresh_token)  # fmt: skip
    return SpApiClient(
        AppConfig.from_settings(settings),
        seller,
        limiter(),
        recorder=api_log_recorder(account.shop_id),
        on_revoked=on_revoked,
        shared_tokens=shared_tokens(),
    )


def app_client(shop_id: int | None, region: str) -> SpApiClient:
    """An SP-API client for the application's grantless operations in one region: it holds no
    seller token, so it serves accounts whose authorization is revoked or already erased."""
    settings = current_app.config["SETTINGS"]
    return SpApiClient(AppConfig.from_settings(settings), SellerAccount(shop_id, "", region, ""),
                       limiter(), recorder=api_log_recorder(shop_id),
                       shared_tokens=shared_tokens())  # fmt: skip


def api_log_recorder(shop_id: int | None):
    """A recorder writing one ApiCall row per attempt (never a token, never a query string)."""

    def record(attempt: Attempt) -> None:
        record_api_call(
            shop_id=shop_id,
            platform="amazon",
            operation=attempt.operation,
            marketplace_id=attempt.marketplace_id,
            method=attempt.method,
            url_path=attempt.url_path,
            status_code=attempt.status,
            duration_ms=attempt.duration_ms,
            request_id=attempt.request_id,
            error_codes=attempt.error_codes,
            error_message=attempt.error_message,
        )

    return record
