"""A shop's expiring access token: read from the database, refreshed before expiry or after a
401 under a Redis lock, so concurrent workers refresh once; the new pair is saved before use."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import db, utcnow
from core.models import Shop, StoreConnection
from core.settings import Settings
from integrations.shopify import oauth

log = logging.getLogger("crossport.shopify")
REFRESH_MARGIN = timedelta(minutes=5)
LOCK_TIMEOUT = 30  # seconds; a refresh is one HTTP call with a 20 s read timeout


class TokenUnavailable(Exception):
    """No usable credentials: the shop uninstalled, or the refresh token was refused."""


class ShopTokens:
    """Hands out the current access token of one shop; each read goes to the database."""

    def __init__(
        self, settings: Settings, shop_id: int, redis=None, margin: timedelta = REFRESH_MARGIN
    ):
        self.settings = settings
        self.shop_id = shop_id
        self.redis = redis
        self.margin = margin

    def _load(self, session: Session) -> tuple[Shop, StoreConnection]:
        shop = session.get(Shop, self.shop_id)
        conn = session.scalars(
            select(StoreConnection).where(StoreConnection.shop_id == self.shop_id)
        ).one_or_none()
        if shop is None or conn is None or not conn.access_token or shop.status != "installed":
            raise TokenUnavailable(f"shop {self.shop_id} has no Shopify credentials")
        return shop, conn

    def _fresh_enough(self, conn: StoreConnection) -> bool:
        return conn.token_expires_at is None or conn.token_expires_at > utcnow() + self.margin

    def current(self) -> str:
        """The access token, refreshed first when it expires within the margin."""
        with Session(db.engine) as session:
            _, conn = self._load(session)
            if self._fresh_enough(conn) or not conn.refresh_token:
                return conn.access_token
        return self.refresh()

    def refresh(self, failed_token: str | None = None) -> str:
        """Refresh once for everyone: whoever holds the lock refreshes, the rest reuse its token.

        failed_token: the token a 401 refused; if the stored one differs, someone refreshed.
        """
        lock = None
        if self.redis is not None:
            lock = self.redis.lock(
                f"{self.settings.queue_prefix}:lock:shopify-token:{self.shop_id}",
                timeout=LOCK_TIMEOUT,
                blocking_timeout=LOCK_TIMEOUT + 5,
            )
            if not lock.acquire():
                raise TokenUnavailable("another worker's token refresh did not finish")
        try:
            with Session(db.engine) as session:
                shop, conn = self._load(session)
                replaced = failed_token is not None and conn.access_token != failed_token
                if replaced or (failed_token is None and self._fresh_enough(conn)):
                    return conn.access_token
                if not conn.refresh_token:
                    raise TokenUnavailable(f"shop {shop.domain}: token refused, no refresh token")
                try:
                    tokens = oauth.refresh(self.settings, shop.domain, conn.refresh_token)
                except oauth.OAuthError as exc:
                    if exc.status in (400, 401):
                        conn.status = "reauthorize"
                        session.commit()
                        raise TokenUnavailable(f"shop {shop.domain}: refresh refused") from exc
                    raise
                store_tokens(conn, tokens)
                session.commit()  # saved before anyone uses it: a lost answer is not a lost token
                log.info("shopify token refreshed", extra={"shop_id": self.shop_id})
                return tokens.access_token
        finally:
            if lock is not None:
                try:
                    lock.release()
                except Exception:  # expired meanwhile: nothing left to release
                    pass


def store_tokens(conn: StoreConnection, tokens: oauth.TokenSet) -> None:
    """Write a grant's tokens onto the connection (the caller commits)."""
    conn.access_token = tokens.access_token
    conn.token_expires_at = tokens.expires_at
    conn.refresh_token = tokens.refresh_token
    conn.refresh_token_expires_at = tokens.refresh_expires_at
    if tokens.scope:
        conn.scopes = tokens.scope
    conn.status = "connected"
