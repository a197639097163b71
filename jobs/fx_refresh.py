"""The FX refresh: the ECB's reference rates of the day stored as FxRate rows (base USD), and the
listings of each shop whose currencies moved re-priced through its price rules.

The scheduler runs it hourly: the ECB publishes once a working day (around 16:00 CET), and a
day already stored costs one small GET and nothing more (rows are unique per currency and day).
Currencies the ECB does not publish (AED, SAR...) keep what jobs.fx_rates gives them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

import httpx
from flask import current_app
from sqlalchemy.exc import IntegrityError

from core.db import db, utcnow
from core.models import Alert, FxRate, Shop, TargetMarketplace
from jobs.alerts import raise_alert
from jobs.fx_rates import rates_table
from jobs.listing_sync import request_reprice
from jobs.runs import finish_run, record_failure, start_run
from mapping.ecb_rates import EcbRates, parse_ecb_daily
from mapping.fx import RatesTable, UnknownCurrency

log = logging.getLogger("crossport.jobs")

KIND = "fx_refresh"
ALERT_KIND = "fx_refresh_failed"
SOURCE = "ecb"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_BYTES = 1_000_000  # the real file is about 1.5 kB; anything this big is not it


class FxSourceError(RuntimeError):
    """The rates source did not answer with a rates file; the message names the URL and why."""


def refresh_rates() -> str:
    """Fetch the ECB's rates of the day, store the new ones, re-price the shops they move."""
    run = start_run(KIND, None, "Fetch exchange rates (ECB)")
    url = current_app.config["SETTINGS"].fx_rates_url
    try:
        fetched = fetch_ecb_rates(url)
        before = rates_table()
        stored = store_rates(fetched)
    except Exception as exc:
        _report_failure(run.id, exc)
        raise  # RQ records it and retries: the ECB may answer in a moment
    settle_failure_alerts()
    if not stored:
        message = f"the ECB rates of {fetched.day} were already stored"
        finish_run(run, message)
        return message
    moved = shops_with_moved_rates(before, rates_table())
    for shop_id in moved:
        request_reprice(shop_id)
    message = f"{stored} ECB rates of {fetched.day} stored; shops to re-price: {len(moved)}"
    log.info("fx refresh: %s", message)
    run.details = {"as_of": fetched.day.isoformat(), "stored": stored, "repriced_shops": moved}
    finish_run(run, message)
    return message


def fetch_ecb_rates(url: str) -> EcbRates:
    """The rates file at `url`, read; FxSourceError or EcbFormatError name what went wrong."""
    try:
        # Redirects off, as for every outside call: a moved file is reported, not followed.
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise FxSourceError(f"{url}: no answer ({type(exc).__name__}: {exc})") from exc
    if response.status_code != 200:
        raise FxSourceError(f"{url}: answered HTTP {response.status_code}, not the rates file")
    if len(response.content) > MAX_BYTES:
        raise FxSourceError(f"{url}: answered {len(response.content)} bytes, not the rates file")
    return parse_ecb_daily(response.content, url)


def store_rates(fetched: EcbRates) -> int:
    """One FxRate row (base USD, source ecb) per currency not yet stored for that day."""
    as_of = datetime.combine(fetched.day, datetime.min.time())
    known = {
        quote
        for (quote,) in db.session.query(FxRate.quote).filter_by(
            base="USD", as_of=as_of, source=SOURCE
        )
    }
    rows = [
        FxRate(base="USD", quote=code, rate=rate, as_of=as_of, source=SOURCE)
        for code, rate in fetched.per_usd().items()
        if code not in known
    ]
    if not rows:
        return 0
    db.session.add_all(rows)
    try:
        db.session.commit()
    except IntegrityError:  # a run beside this one stored the same day first: it re-prices
        db.session.rollback()
        return 0
    return len(rows)


def shops_with_moved_rates(before: RatesTable, after: RatesTable) -> list[int]:
    """Installed shops where the rate from the store currency to an enabled marketplace's moved."""
    moved = {
        shop_id
        for shop_id, store, market in _selling_pairs()
        if _rate(before, store, market) != _rate(after, store, market)
    }
    return sorted(moved)


def _selling_pairs() -> list[tuple[int, str, str]]:
    """(shop id, store currency, marketplace currency) of every installed shop's enabled
    marketplaces."""
    return (
        db.session.query(Shop.id, Shop.currency, TargetMarketplace.currency)
        .join(TargetMarketplace, TargetMarketplace.shop_id == Shop.id)
        .filter(Shop.status == "installed", TargetMarketplace.enabled.is_(True))
        .distinct()
        .all()
    )


def alert_converting_shops(reason: str) -> list[int]:
    """The refresh failed for good: every shop whose prices are converted is told, once per
    reason (raise_alert keeps one open alert per message), with the rates its prices still use."""
    table = rates_table()
    message = (f"Exchange rates could not be refreshed ({reason}). Prices are converted with the "
               f"rates of {table.as_of} ({table.source}) until they can; a rate override on the "
               "pricing page holds a rate you choose.")  # fmt: skip
    shops = sorted({shop_id for shop_id, store, market in _selling_pairs() if store != market})
    for shop_id in shops:
        raise_alert(shop_id, ALERT_KIND, message[:2000], severity="warning",
                    details={"as_of": table.as_of, "source": table.source})  # fmt: skip
    db.session.commit()
    return shops


def settle_failure_alerts() -> None:
    """Rates arrived again: the open refresh-failure alerts of every shop are settled."""
    now = utcnow()
    for alert in db.session.query(Alert).filter_by(kind=ALERT_KIND, resolved_at=None):
        alert.resolved_at = now
    db.session.commit()


def _rate(table: RatesTable, source: str, target: str) -> Decimal | None:
    try:
        return table.rate(source, target).value
    except UnknownCurrency:  # a currency gaining (or losing) a rate counts as a move
        return None


def _report_failure(run_id: int, exc: Exception) -> None:
    """The run row says why; a failure for good also alerts the shops whose prices it leaves."""
    if record_failure(run_id, exc):
        alert_converting_shops(f"{type(exc).__name__}: {exc}")
    log.warning("fx refresh failed: %s: %s", type(exc).__name__, exc)
