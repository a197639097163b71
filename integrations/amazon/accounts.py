"""SP-API clients for stored Amazon accounts: settings, the shared limiter, the API log, and
what happens when a seller's authorization is revoked."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.orm import Session

from core.apilog import record_api_call
from core.crypto import active_keyring
from core.db import db, utcnow
from core.models import Alert, AmazonAccount
from core.redis import get_redis

from .client import AppConfig, Attempt, SellerAccount, SpApiClient
from .errors import AmazonAuthorizationRevoked
from .pause import pause_account_work
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


def client_for(account: AmazonAccount) -> SpApiClient:
    """An SP-API client for a connected account; AmazonAuthorizationRevoked when it is not."""
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
        on_revoked=lambda reason: mark_disconnected(account.id, reason),
        shared_tokens=shared_tokens(),
    )


def app_client(shop_id: int | None, region: str) -> SpApiClient:
    """An SP-API client for the application's grantless operations in one region: it holds no
    seller token, so it serves accounts whose authorization is revoked or already erased."""
    settings = current_app.config["SETTINGS"]
    return SpApiClient(AppConfig.from_settings(settings), SellerAccount(shop_id, "", region, ""),
                       limiter(), recorder=api_log_recorder(shop_id),
                       shared_tokens=shared_tokens())  # fmt: skip


def client_for_id(account_id: int) -> SpApiClient:
    account = db.session.get(AmazonAccount, account_id)
    if account is None:
        raise LookupError(f"no Amazon account {account_id}")
    return client_for(account)


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


def mark_disconnected(account_id: int, reason: str) -> None:
    """Flag the account and raise an alert, in a transaction of its own (the job is failing)."""
    with Session(db.engine) as session:
        account = session.get(AmazonAccount, account_id)
        if account is None or account.status == "disconnected":
            return
        account.status = "disconnected"
        account.status_reason = reason[:500]
        # listing, price and stock jobs skip it until it is connected again (as when the
        # seller disconnects it from the page), instead of each failing on the revoked token
        pause_account_work(session, account)
        session.add(Alert(shop_id=account.shop_id, kind="amazon_disconnected", severity="error",
                          message=f"Amazon {account.region} disconnected: {reason}",
                          details={"account_id": account.id, "region": account.region,
                                   "at": utcnow().isoformat()}))  # fmt: skip
        session.commit()
        # Amazon would go on notifying for the seller: its subscription is deleted in a job
        # (grantless, so the revoked token does not matter). Imported here: the jobs layer
        # builds on this module, and this is the one place that learns of a revocation.
        from jobs.unsubscribe import request_unsubscription

        request_unsubscription(account)
    log.warning("amazon account disconnected", extra={"account_id": account_id})
