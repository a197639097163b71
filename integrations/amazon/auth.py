"""Seller authorization (the website workflow): consent URL, callback, stored account.

/amazon/authorize creates a single-use `state` bound to the tenant and region and sends the
seller to Seller Central; Amazon redirects back with spapi_oauth_code, state and
selling_partner_id; the code is exchanged for a refresh token (stored encrypted), and the
seller's marketplace participations become TargetMarketplace rows, disabled until chosen.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from flask import current_app
from sp_api.auth.exceptions import AuthorizationError
from sqlalchemy import update

from core.apilog import record_api_call
from core.db import db, utcnow
from core.models import Alert, AmazonAccount, AuthState, TargetMarketplace

from . import sellers, tokens
from .accounts import client_for
from .pause import resume_account_work
from .seller_change import ReplacedSeller, replace_seller

STATE_LIFETIME = timedelta(minutes=10)
REGIONS = ("NA", "EU", "FE")
# Seller Central per region, used when the configured consent URL is Amazon's NA default.
SELLER_CENTRAL = {
    "NA": "https://sellercentral.amazon.com/apps/authorize/consent",
    "EU": "https://sellercentral-europe.amazon.com/apps/authorize/consent",
    "FE": "https://sellercentral.amazon.co.jp/apps/authorize/consent",
}


class AuthorizationRefused(Exception):
    """The callback cannot be trusted or completed; `code` says why (shown to the seller)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def consent_url(shop_id: int, region: str) -> str:
    """Seller Central's consent page for this region, with a fresh single-use state."""
    region = region.upper()
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}")
    settings = current_app.config["SETTINGS"]
    nonce = secrets.token_urlsafe(32)
    db.session.add(AuthState(nonce=nonce, purpose="amazon_connect", shop_id=shop_id,
                             binding={"region": region},
                             expires_at=utcnow() + STATE_LIFETIME))  # fmt: skip
    db.session.commit()
    template = settings.amazon_consent_url
    if "{region}" in template:
        base = template.format(region=region.lower())
    elif template == SELLER_CENTRAL["NA"]:
        base = SELLER_CENTRAL[region]
    else:
        base = template
    query = {
        "application_id": settings.spapi_app_id,
        "state": nonce,
        "redirect_uri": settings.public_url.rstrip("/") + "/amazon/callback",
    }
    return f"{base}?{urlencode(query)}"


def _claim_state(nonce: str) -> AuthState:
    """Mark the state used, exactly once, even when two callbacks race."""
    state = db.session.query(AuthState).filter_by(nonce=nonce, purpose="amazon_connect").first()
    if state is None:
        raise AuthorizationRefused("state_unknown", "This authorization link is not ours.")
    if state.expires_at.replace(tzinfo=None) < utcnow().replace(tzinfo=None):
        raise AuthorizationRefused("state_expired", "This authorization link has expired.")
    claimed = db.session.execute(
        update(AuthState).where(AuthState.id == state.id, AuthState.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount  # fmt: skip
    db.session.commit()
    if claimed != 1:
        raise AuthorizationRefused("state_used", "This authorization link was already used.")
    return state


def exchange_code(code: str, shop_id: int | None) -> str:
    """The seller's refresh token for an spapi_oauth_code (one ApiCall row, no secret logged)."""
    settings = current_app.config["SETTINGS"]
    token_class = tokens.token_client_class(settings.lwa_token_url)
    credentials = SimpleNamespace(
        lwa_app_id=settings.lwa_client_id,
        refresh_token=None,
        lwa_client_secret=settings.lwa_client_secret,
    )
    started = time.monotonic()
    status, codes = 200, []
    try:
        answer = token_class(credentials=credentials).authorize_auth_code(code)
    except AuthorizationError as exc:
        status, codes = exc.status_code or 0, [str(exc.error_code)]
        raise AuthorizationRefused("code_refused", "Amazon refused the authorization code.") \
            from None  # fmt: skip
    finally:
        record_api_call(
            shop_id=shop_id,
            platform="amazon",
            operation="lwa:authorization_code",
            method="POST",
            url_path=token_class.path,
            status_code=status,
            duration_ms=int((time.monotonic() - started) * 1000),
            error_codes=codes,
        )
    return answer["refresh_token"]


def complete(
    nonce: str, code: str, selling_partner_id: str
) -> tuple[AmazonAccount, ReplacedSeller | None]:
    """Finish the callback: check state, store the account, import marketplace participations.
    Also returns the seller the region was connected to before, when it was another one (its
    listings are forgotten here; the caller deletes its order subscription)."""
    if not nonce or not code or not selling_partner_id:
        raise AuthorizationRefused("missing", "The callback lacks state, code or seller id.")
    state = _claim_state(nonce)
    region = state.binding["region"]
    refresh_token = exchange_code(code, state.shop_id)
    account = (
        db.session.query(AmazonAccount)
        .filter_by(shop_id=state.shop_id, region=region)
        .one_or_none()
    )
    if account is None:
        account = AmazonAccount(shop_id=state.shop_id, region=region)
        db.session.add(account)
    replaced = None
    if account.selling_partner_id and account.selling_partner_id != selling_partner_id:
        replaced = replace_seller(db.session, account, selling_partner_id)
    if account.status == "disconnected":  # connected again: what the disconnection paused goes on
        resume_account_work(account)
        resolve_disconnection_alerts(account)
    account.selling_partner_id = selling_partner_id
    account.refresh_token = refresh_token
    account.status, account.status_reason, account.connected_at = "connected", "", utcnow()
    db.session.commit()
    import_participations(account)
    return account, replaced


def resolve_disconnection_alerts(account: AmazonAccount) -> None:
    """The account's open 'disconnected' alerts are settled by connecting it again."""
    alerts = db.session.query(Alert).filter_by(
        shop_id=account.shop_id, kind="amazon_disconnected", resolved_at=None
    )
    for alert in alerts:
        if (alert.details or {}).get("account_id") == account.id:
            alert.resolved_at = utcnow()


def import_participations(account: AmazonAccount) -> list[TargetMarketplace]:
    """Upsert one TargetMarketplace per participation; the seller's choices are kept."""
    found = sellers.marketplace_participations(client_for(account))
    existing = {m.marketplace_id: m for m in account.marketplaces}
    for entry in found:
        row = existing.get(entry["marketplace_id"])
        if row is None:
            row = TargetMarketplace(
                shop_id=account.shop_id,
                account=account,
                marketplace_id=entry["marketplace_id"],
                enabled=False,
            )
            db.session.add(row)
        row.country_code, row.name = entry["country_code"], entry["name"]
        row.domain = entry["domain"].removeprefix("www.")
        row.currency, row.language = entry["currency"], entry["language"]
        row.participating = entry["participating"]
    listed = {entry["marketplace_id"] for entry in found}
    for marketplace_id, row in existing.items():
        if marketplace_id not in listed:  # not (or no longer) the seller's: cannot be sold in
            row.participating, row.enabled = False, False
    db.session.commit()
    return list(account.marketplaces)
