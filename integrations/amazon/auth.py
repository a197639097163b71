"""Seller authorization (the website workflow): consent URL, callback, stored account.

/amazon/authorize (the page, with its token) gets a single-use start ticket for the tenant and
region; the page posts it from a top-level window of this site to /amazon/connect, which creates
the single-use `state`, bound to that browser by a cookie (core/browser_binding.py, as the
Shopify install), and sends the seller to Seller Central. Amazon redirects back with
spapi_oauth_code, state and selling_partner_id; a callback in another browser than the one that
started (a consent link someone else opened) is refused. The code is exchanged for a refresh
token (stored encrypted), and the seller's marketplace participations become TargetMarketplace
rows, disabled until chosen. A region connected again with a *different* seller stays
`unconfirmed`, its marketplaces paused, until an admin confirms that selling partner id.
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
from core.browser_binding import same_browser
from core.db import db, utcnow
from core.models import Alert, AmazonAccount, AuthState, TargetMarketplace

from . import sellers, tokens
from .accounts import client_for
from .pause import pause_account_work, resume_account_work
from .seller_change import ReplacedSeller, replace_seller

STATE_LIFETIME = timedelta(minutes=10)
# the page posts its start ticket at once, from the window it has just opened
START_LIFETIME = timedelta(minutes=2)
START_PURPOSE, STATE_PURPOSE = "amazon_connect_start", "amazon_connect"
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


def start_ticket(shop_id: int, region: str) -> str:
    """A single-use ticket to start connecting `region` for the shop from a top-level window."""
    region = _region(region)
    ticket = secrets.token_urlsafe(32)
    db.session.add(AuthState(nonce=ticket, purpose=START_PURPOSE, shop_id=shop_id,
                             binding={"region": region},
                             expires_at=utcnow() + START_LIFETIME))  # fmt: skip
    db.session.commit()
    return ticket


def claim_start_ticket(ticket: str) -> tuple[int, str]:
    """The shop and region of a start ticket, used once."""
    if not ticket:
        raise AuthorizationRefused("missing", "Start connecting Amazon from Crossport's page.")
    state = _claim_state(ticket, START_PURPOSE)
    return state.shop_id, state.binding["region"]


def _region(region: str) -> str:
    region = region.upper()
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}")
    return region


def consent_url(shop_id: int, region: str, browser: str) -> str:
    """Seller Central's consent page for this region, with a fresh single-use state bound to
    the browser whose cookie secret has the digest `browser`."""
    region = _region(region)
    settings = current_app.config["SETTINGS"]
    nonce = secrets.token_urlsafe(32)
    db.session.add(AuthState(nonce=nonce, purpose=STATE_PURPOSE, shop_id=shop_id,
                             binding={"region": region, "browser": browser},
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


def _claim_state(nonce: str, purpose: str, browser: str | None = None) -> AuthState:
    """Mark the state used, exactly once, even when two callbacks race; a state bound to a
    browser is used only by a request bringing that browser's cookie secret."""
    state = db.session.query(AuthState).filter_by(nonce=nonce, purpose=purpose).first()
    if state is None:
        raise AuthorizationRefused("state_unknown", "This authorization link is not ours.")
    if state.expires_at.replace(tzinfo=None) < utcnow().replace(tzinfo=None):
        raise AuthorizationRefused("state_expired", "This authorization link has expired.")
    if state.used_at is not None:  # said before the browser check: the cookie went with it
        raise AuthorizationRefused("state_used", "This authorization link was already used.")
    bound = (state.binding or {}).get("browser")
    if purpose == STATE_PURPOSE and not same_browser(bound, browser):
        raise AuthorizationRefused(
            "state_foreign",
            "This authorization was started in another browser: connect Amazon again from "
            "Crossport, in the browser you use for it.",
        )
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
    nonce: str, code: str, selling_partner_id: str, browser: str | None
) -> tuple[AmazonAccount, ReplacedSeller | None]:
    """Finish the callback: check state (and that `browser`, the cookie secret the callback
    brought, is the one that started it), store the account, import marketplace participations.
    Also returns the seller the region was connected to before, when it was another one (its
    listings are forgotten here; the caller deletes its order subscription)."""
    if not nonce or not code or not selling_partner_id:
        raise AuthorizationRefused("missing", "The callback lacks state, code or seller id.")
    state = _claim_state(nonce, STATE_PURPOSE, browser)
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
    was_disconnected = account.status == "disconnected"
    account.selling_partner_id = selling_partner_id
    account.refresh_token = refresh_token
    account.status, account.status_reason, account.connected_at = "connected", "", utcnow()
    # made while the account is connected in this session only: the seller's marketplaces are
    # read even when the account is marked unconfirmed below, which no other client accepts
    client = client_for(account)
    if replaced is not None:
        # another seller's catalogue: nothing goes there until an admin has seen its id
        pause_account_work(db.session, account)
        account.status = "unconfirmed"
        account.status_reason = (
            f"Amazon seller {selling_partner_id} was connected: confirm it is yours before "
            "anything is sent there"
        )[:500]
    elif was_disconnected:  # connected again: what the disconnection paused goes on
        resume_account_work(account)
        resolve_disconnection_alerts(account)
    db.session.commit()
    import_participations(account, client)
    return account, replaced


class SellerMismatch(Exception):
    """The id an admin confirmed is not the account's seller (the page showed another)."""


def confirm_seller(account: AmazonAccount, selling_partner_id: str) -> bool:
    """An admin confirms the seller connected to an `unconfirmed` account, by the id the page
    showed: its paused marketplaces resume. False when it was already confirmed."""
    if selling_partner_id != account.selling_partner_id:
        raise SellerMismatch(account.selling_partner_id or "")
    if account.status != "unconfirmed":
        return False
    resume_account_work(account)
    resolve_disconnection_alerts(account)
    account.status, account.status_reason = "connected", ""
    db.session.commit()
    return True


def resolve_disconnection_alerts(account: AmazonAccount) -> None:
    """The account's open 'disconnected' alerts are settled by connecting it again."""
    alerts = db.session.query(Alert).filter_by(
        shop_id=account.shop_id, kind="amazon_disconnected", resolved_at=None
    )
    for alert in alerts:
        if (alert.details or {}).get("account_id") == account.id:
            alert.resolved_at = utcnow()


def import_participations(account: AmazonAccount, client=None) -> list[TargetMarketplace]:
    """Upsert one TargetMarketplace per participation; the seller's choices are kept."""
    found = sellers.marketplace_participations(client or client_for(account))
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
