"""The exchange rates every price is computed with: the stored rates, newest per currency, with
the seller's manual overrides; the sandbox seed for a currency never fetched.

One reader for the jobs (publish, re-price) and the pricing page, so the example prices the seller
sees are the prices Amazon gets.
"""

from __future__ import annotations

from decimal import Decimal

from core.db import db
from core.models import FxRate
from mapping.fx import RatesTable
from mapping.fx_seed import seed_rates


def rates_table() -> RatesTable:
    """Units of each currency per USD: later rows win, manual rows are overrides of their pair."""
    rows = db.session.query(FxRate).order_by(FxRate.as_of, FxRate.id).all()
    seed = seed_rates()
    if not rows:
        return seed
    rates = {"USD": Decimal(1)}
    overrides, as_of, source = {}, "", ""
    for row in rows:
        if row.source == "manual":
            overrides[f"{row.base}>{row.quote}"] = Decimal(row.rate)
        elif row.base == "USD":
            rates[row.quote] = Decimal(row.rate)
            as_of, source = row.as_of.date().isoformat(), row.source
    for currency, value in seed.rates.items():  # a currency never fetched keeps its seed rate
        rates.setdefault(currency, value)
    return RatesTable("USD", rates, as_of or seed.as_of, source or seed.source, overrides)
