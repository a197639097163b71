"""The ECB's daily rates file read and turned to base USD, and every way a bad file is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapping.ecb_rates import EcbFormatError, EcbRates, parse_ecb_daily
from mapping.fx_seed import SEED_DATE, USD_RATES
from sandbox.fx.app import RatesDesk

WHERE = "https://rates.example/eurofxref-daily.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "<gesmes:subject>Reference rates</gesmes:subject>\n"
    "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>\n"
)


def ecb_file(cubes: str, time: str = "2026-11-26") -> bytes:
    return f"{HEAD}<Cube><Cube time='{time}'>{cubes}</Cube></Cube></gesmes:Envelope>".encode()


SAMPLE = ecb_file(
    "<Cube currency='USD' rate='1.0812'/><Cube currency='JPY' rate='162.26'/>"
    "<Cube currency='GBP' rate='0.83520'/>"
)


def test_the_days_rates_per_eur_are_read_with_their_date():
    rates = parse_ecb_daily(SAMPLE, WHERE)
    assert rates.day == date(2026, 11, 26)
    assert rates.per_eur == {"USD": D("1.0812"), "JPY": D("162.26"), "GBP": D("0.83520")}


def test_rates_turn_to_units_per_usd_with_eur_as_one_over_the_usd_rate():
    per_usd = parse_ecb_daily(SAMPLE, WHERE).per_usd()
    # 162.26 / 1.0812 = 150.0739918..., 0.8352 / 1.0812 = 0.7724750..., 1 / 1.0812 = 0.9248982...
    assert per_usd == {
        "EUR": D("0.92489826"),
        "GBP": D("0.77247503"),
        "JPY": D("150.07399186"),
    }


def test_the_sandbox_file_gives_back_the_seed_within_the_ecbs_five_digits():
    rates = parse_ecb_daily(RatesDesk().xml().encode(), "sandbox")
    per_usd = rates.per_usd()
    assert rates.day.isoformat() == SEED_DATE
    # the ECB does not publish AED or SAR: they keep their seed rate in jobs.fx_rates
    assert "AED" not in per_usd and "SAR" not in per_usd and "USD" not in per_usd
    for code, value in per_usd.items():
        assert abs(value / D(USD_RATES[code]) - 1) < D("0.0001"), code


@given(
    usd=st.decimals(min_value=D("0.01"), max_value=D("1000"), places=4),
    other=st.decimals(min_value=D("0.0001"), max_value=D("99999"), places=4),
    factor=st.sampled_from([D("1.05"), D("0.9"), D("1.1234")]),
)
def test_a_euro_move_alone_leaves_every_other_usd_rate_unchanged(usd, other, factor):
    # the ECB quotes per EUR: when only the euro moves, every published rate scales together
    before = EcbRates(date(2026, 11, 2), {"USD": usd, "CAD": other}).per_usd()
    after = EcbRates(date(2026, 11, 3), {"USD": usd * factor, "CAD": other * factor}).per_usd()
    assert after["CAD"] == before["CAD"]
    if usd < 10:  # a visible euro move (rates of 8 places cannot show one against 1000 USD)
        assert after["EUR"] != before["EUR"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<gesmes:Envelope", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body>Service unavailable</body></html>", "the root element is html"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<r>&b;</r>",
            "DOCTYPE declaration (refused",
        ),
        (ecb_file("<Cube currency='JPY' rate='162.26'/>"), "have no USD rate"),
        (ecb_file("<Cube currency='USD' rate='abc'/>"), "currency='USD': rate='abc' is not a"),
        (ecb_file("<Cube currency='USD' rate='-1.2'/>"), "rate='-1.2' is not a positive"),
        (ecb_file("<Cube currency='USD' rate='NaN'/>"), "rate='NaN' is not a positive"),
        (ecb_file("<Cube currency='USD' rate='Infinity'/>"), "is not a positive"),
        (ecb_file("<Cube currency='US Dollar' rate='1.08'/>"), "not a 3-letter ISO 4217"),
        (
            ecb_file("<Cube currency='USD' rate='1.08'/><Cube currency='USD' rate='1.09'/>"),
            "currency='USD': the currency is listed twice",
        ),
        (ecb_file("<Cube currency='USD' rate='1.08'/>", time="26.11.2026"), "not a YYYY-MM-DD"),
        (
            HEAD.encode() + b"<Cube></Cube></gesmes:Envelope>",
            "expected one Cube with a time attribute, found 0",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_what_and_where(body, says):
    with pytest.raises(EcbFormatError) as refused:
        parse_ecb_daily(body, WHERE)
    assert str(refused.value).startswith(WHERE + ": ")
    assert says in str(refused.value)
