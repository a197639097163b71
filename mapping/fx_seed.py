"""The seeded exchange-rate table used in the sandbox and the tests (never fetched at import)."""

from __future__ import annotations

from decimal import Decimal

from mapping.fx import RatesTable

SEED_DATE = "2026-11-02"

# Units of each currency per 1 USD, a fixed snapshot so that sandbox prices are reproducible.
USD_RATES = {
    "USD": "1",
    "EUR": "0.9234",
    "GBP": "0.7912",
    "JPY": "151.37",
    "CAD": "1.3845",
    "MXN": "17.05",
    "BRL": "5.02",
    "AUD": "1.5234",
    "SGD": "1.3400",
    "SEK": "10.62",
    "PLN": "3.98",
    "TRY": "34.20",
    "AED": "3.6725",
    "SAR": "3.75",
    "INR": "83.40",
    "CNY": "7.2345",
    "HKD": "7.78",
    "CHF": "0.8790",
}


def seed_rates() -> RatesTable:
    """A fresh rates table with the sandbox snapshot (base USD, dated SEED_DATE)."""
    return RatesTable(
        base="USD",
        rates={code: Decimal(value) for code, value in USD_RATES.items()},
        as_of=SEED_DATE,
        source="sandbox seed",
    )
