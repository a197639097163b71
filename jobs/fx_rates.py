"""The exchange rates every price is computed with: the stored rates, newest per currency, with
the seller's manual overrides; the sandbox seed for a currency never fetched.

One reader for the jobs (publish, re-price) and the pricing page, so the example prices the seller
sees are the prices Amazon gets.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, func, select

from core.db import db
from core.models import FxRate
from mapping.fx import RatesTable
from mapping.fx_seed import seed_rates


def rates_table() -> RatesTable:
    """Units of each currency per USD: the newest fetched rate of each, manual rows as overrides
    of their pair. Only the newest row per currency is read: the refresh adds a day of rows
    every working day, and the pricing page asks for the table on every view."""
    seed = seed_rates()
    fetched = FxRate.base == "USD", FxRate.source != "manual"
    newest = (
        select(FxRate.quote, func.max(FxRate.as_of).label("as_of"))
        .where(*fetched)
        .group_by(FxRate.quote)
        .subquery()
    )
    latest = (
        db.session.query(FxRate)
        .join(newest, and_(FxRate.quote == newest.c.quote, FxRate.as_of == newest.c.as_of))
        .filter(*fetched)
        .order_by(FxRate.as_of, FxRate.id)
        .all()
    )
    manual = db.session.query(FxRate).filter_by(source="manual").order_by(FxRate.as_of, FxRate.id)
    overrides = {f"{row.base}>{row.quote}": Decimal(row.rate) for row in manual}
    if not latest and not overrides:
        return seed
    rates = {"USD": Decimal(1)} | {row.quote: Decimal(row.rate) for row in latest}
    for currency, value in seed.rates.items():  # a currency never fetched keeps its seed rate
        rates.setdefault(currency, value)
    newest_row = latest[-1] if latest else None
    as_of = newest_row.as_of.date().isoformat() if newest_row else seed.as_of
    source = newest_row.source if newest_row else seed.source
    return RatesTable("USD", rates, as_of, source, overrides)
