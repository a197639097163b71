"""Price rules with exact figures: conversion, markup, rounding, endings, VAT, limits."""

from decimal import Decimal as D

import pytest

from mapping.fx import UnknownCurrency
from mapping.fx_seed import SEED_DATE, seed_rates
from mapping.marketplaces import MARKETPLACES
from mapping.pricing import PriceRule, apply_ending, price_for

US, UK, DE, JP = (
    MARKETPLACES[i] for i in ("ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528")
)


def test_usd_to_eur_with_markup_ending_and_vat_included():
    b = price_for("29.90", "USD", DE, PriceRule(markup_percent=D(10), ending=".99"), seed_rates())
    assert b.price == D("30.99")
    assert (
        b.text == "29.90 USD × 0.9234 = 27.61 EUR, +10 % = 30.37, ends .99 → 30.99, incl. 19 % VAT"
    )
    assert b.vat_included and b.vat_amount == D("4.95")  # 30.99 − 26.04
    assert b.rate_date == SEED_DATE


def test_usd_to_jpy_has_no_minor_unit():
    b = price_for("29.90", "USD", JP, PriceRule(markup_percent=D(10), ending="80"), seed_rates())
    # 29.90 × 151.37 = 4525.963 → 4526; +10 % = 4978.6 → 4979; ending 80 → 4980
    assert b.price == D("4980") and b.price.as_tuple().exponent == 0
    assert b.text == ("29.90 USD × 151.37 = 4526 JPY, +10 % = 4979, ends 80 → 4980, incl. 10 % VAT")
    assert b.vat_amount == D("453")  # 4980 − 4527


def test_usd_to_gbp_adding_vat_on_top():
    b = price_for("29.90", "USD", UK, PriceRule(vat="add", ending=".99"), seed_rates())
    # 29.90 × 0.7912 = 23.65688 → 23.66; +20 % VAT = 28.392 → 28.39; ends .99 → 28.99
    assert b.text == (
        "29.90 USD × 0.7912 = 23.66 GBP, +20 % VAT = 28.39, ends .99 → 28.99, incl. 20 % VAT"
    )
    assert b.price == D("28.99") and b.vat_amount == D("4.83")  # 28.99 − 24.16


def test_cny_to_usd_cross_rate_fixed_markup_excludes_sales_tax():
    b = price_for("99.00", "CNY", US, PriceRule(markup_fixed=D("2.00"), ending=".95"), seed_rates())
    # 1 / 7.2345 = 0.13822655...; 99 × that = 13.684429...; → 13.68; +2.00 = 15.68; ends .95 → 15.95
    assert (
        b.text
        == "99.00 CNY × 0.138227 = 13.68 USD, +2.00 = 15.68, ends .95 → 15.95, excl. sales tax"
    )
    assert b.price == D("15.95") and not b.vat_included and b.vat_amount == 0


def test_minimum_and_maximum_limits():
    low = price_for("5.00", "USD", DE, PriceRule(minimum=D("9.99")), seed_rates())
    assert (low.price, low.limited) == (D("9.99"), "minimum")
    assert "raised to the minimum 9.99" in low.text
    high = price_for("500", "USD", DE, PriceRule(maximum=D("199.00")), seed_rates())
    assert (high.price, high.limited) == (D("199.00"), "maximum")


def test_list_price_from_compare_at_only_when_above_price():
    b = price_for("29.90", "USD", DE, PriceRule(), seed_rates(), compare_at="39.90")
    assert b.list_price == D("36.84")  # 39.90 × 0.9234 = 36.84366
    assert (
        price_for("29.90", "USD", DE, PriceRule(), seed_rates(), compare_at="19").list_price is None
    )


def test_manual_rate_override_is_kept_with_its_source():
    b = price_for("10", "USD", DE, PriceRule(rate_override=D("0.9")), seed_rates())
    assert (b.price, b.rate_source) == (D("9.00"), "manual override")
    table = seed_rates().with_override("USD", "EUR", D("0.95"))
    assert price_for("10", "USD", DE, PriceRule(), table).price == D("9.50")


@pytest.mark.parametrize(
    ("amount", "ending", "currency", "expected"),
    [
        ("30.37", ".99", "EUR", "30.99"),
        ("30.99", ".99", "EUR", "30.99"),
        ("31.00", ".99", "EUR", "31.99"),
        ("4979", "80", "JPY", "4980"),
        ("4981", "80", "JPY", "5080"),
        ("12.01", ".00", "USD", "13.00"),
        ("4979", "9", "JPY", "4979"),
    ],
)
def test_price_endings(amount, ending, currency, expected):
    assert apply_ending(D(amount), ending, currency) == D(expected)


def test_unknown_currency_is_an_error_not_a_guess():
    with pytest.raises(UnknownCurrency):
        price_for("1", "XYZ", DE, PriceRule(), seed_rates())
