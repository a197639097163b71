"""Price rules per target marketplace: conversion, markup, rounding, endings, limits, VAT.

Everything is Decimal. Each step is rounded to the target currency's minor unit (none for JPY)
as a seller would on paper, and written into a breakdown the page shows as is:
"29.90 USD × 0.9234 = 27.61 EUR, +10 % = 30.37, ends .99 → 30.99, incl. 19 % VAT".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from mapping.fx import RatesTable
from mapping.marketplaces import Marketplace

# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "ISK": 0, "HUF": 2, "BHD": 3, "KWD": 3}
VAT_INCLUDED, VAT_ADD = "included", "add"


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of a currency: 0.01, or 1 for JPY."""
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))


def money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def show(amount: Decimal) -> str:
    return format(amount, "f")


@dataclass(frozen=True)
class PriceRule:
    """A seller's price rule for one marketplace (amounts in the marketplace currency).

    `ending` is ".99" (cents) or, for currencies without cents, the last digits ("80").
    `vat` says whether the converted price already includes the marketplace VAT ("included",
    the default) or whether VAT is added on top ("add"); it is ignored where prices exclude tax.
    """

    markup_percent: Decimal = Decimal(0)
    markup_fixed: Decimal = Decimal(0)
    ending: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    vat: str = VAT_INCLUDED
    rate_override: Decimal | None = None
    list_price: bool = True  # send the store's compare-at price as Amazon's list price


@dataclass
class PriceBreakdown:
    """How a store price became an Amazon price, step by step."""

    source_amount: Decimal
    source_currency: str
    currency: str
    rate: Decimal
    rate_date: str
    rate_source: str
    price: Decimal
    vat_rate: Decimal
    vat_included: bool
    vat_amount: Decimal
    list_price: Decimal | None = None
    limited: str | None = None  # "minimum" or "maximum" when a limit changed the price
    steps: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return ", ".join(self.steps)

    def to_dict(self) -> dict:
        return {
            "source_amount": show(self.source_amount),
            "source_currency": self.source_currency,
            "currency": self.currency,
            "rate": show(self.rate),
            "rate_date": self.rate_date,
            "rate_source": self.rate_source,
            "price": show(self.price),
            "vat_rate": show(self.vat_rate),
            "vat_included": self.vat_included,
            "vat_amount": show(self.vat_amount),
            "limited": self.limited,
            "text": self.text,
            "list_price": show(self.list_price) if self.list_price is not None else None,
        }


def apply_ending(amount: Decimal, ending: str, currency: str) -> Decimal:
    """The smallest price ≥ amount that ends as asked (30.37 with ".99" → 30.99)."""
    text = ending.strip()
    if "." in text:
        step = Decimal(1)
        tail = Decimal("0" + text[text.index(".") :])
    else:
        step = Decimal(10) ** len(text)
        tail = Decimal(text)
    base = (amount / step).to_integral_value(rounding=ROUND_CEILING) * step - step + tail
    while base < amount:
        base += step
    return money(base, currency)


def _rate_text(rate: Decimal) -> str:
    return show(rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize())


def price_for(
    amount: Decimal | str,
    source_currency: str,
    market: Marketplace,
    rule: PriceRule,
    rates: RatesTable,
    compare_at: Decimal | str | None = None,
) -> PriceBreakdown:
    """The Amazon price for a store price in one marketplace; raises on unknown currencies."""
    amount = Decimal(amount)
    currency = market.currency
    found = rates.rate(source_currency, currency)
    rate = Decimal(rule.rate_override) if rule.rate_override is not None else found.value
    rate_source = "manual override" if rule.rate_override is not None else found.source
    converted = money(amount * rate, currency)
    steps = (
        [f"{show(amount)} {source_currency} × {_rate_text(rate)} = {show(converted)} {currency}"]
        if source_currency != currency
        else [f"{show(converted)} {currency}"]
    )
    price = converted
    if rule.markup_percent:
        price = money(price * (1 + Decimal(rule.markup_percent) / 100), currency)
        steps.append(f"+{show(Decimal(rule.markup_percent).normalize())} % = {show(price)}")
    if rule.markup_fixed:
        price = money(price + Decimal(rule.markup_fixed), currency)
        steps.append(f"+{show(Decimal(rule.markup_fixed))} = {show(price)}")
    vat_rate = market.vat_rate if market.vat_inclusive else Decimal(0)
    if vat_rate and rule.vat == VAT_ADD:
        price = money(price * (1 + vat_rate / 100), currency)
        steps.append(f"+{show(vat_rate.normalize())} % VAT = {show(price)}")
    if rule.ending:
        ended = apply_ending(price, rule.ending, currency)
        steps.append(f"ends {rule.ending} → {show(ended)}")
        price = ended
    limited = None
    if rule.minimum is not None and price < Decimal(rule.minimum):
        price, limited = money(Decimal(rule.minimum), currency), "minimum"
        steps.append(f"raised to the minimum {show(price)}")
    if rule.maximum is not None and price > Decimal(rule.maximum):
        price, limited = money(Decimal(rule.maximum), currency), "maximum"
        steps.append(f"capped at the maximum {show(price)}")
    vat_amount = Decimal(0)
    if vat_rate:
        vat_amount = price - money(price / (1 + vat_rate / 100), currency)
        steps.append(f"incl. {show(vat_rate.normalize())} % VAT")
    else:
        steps.append("excl. sales tax")
    breakdown = PriceBreakdown(
        amount,
        source_currency,
        currency,
        rate,
        found.as_of,
        rate_source,
        price,
        vat_rate,
        bool(vat_rate),
        vat_amount,
        limited=limited,
        steps=steps,
    )
    if rule.list_price and compare_at not in (None, ""):
        listed = _list_price(Decimal(compare_at), rate, rule, vat_rate, currency)
        if listed > price:
            breakdown.list_price = listed
            breakdown.steps.append(f"list price {show(listed)}")
    return breakdown


def _list_price(
    compare_at: Decimal, rate: Decimal, rule: PriceRule, vat_rate: Decimal, currency: str
) -> Decimal:
    """The compare-at price through the same conversion, markup and VAT (no ending, no limits)."""
    listed = money(compare_at * rate, currency)
    if rule.markup_percent:
        listed = money(listed * (1 + Decimal(rule.markup_percent) / 100), currency)
    if rule.markup_fixed:
        listed = money(listed + Decimal(rule.markup_fixed), currency)
    if vat_rate and rule.vat == VAT_ADD:
        listed = money(listed * (1 + vat_rate / 100), currency)
    return listed
