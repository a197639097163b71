"""Exchange rates: a dated table with a base currency, cross rates and manual overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


class UnknownCurrency(LookupError):
    """A currency the rates table has no rate for."""


@dataclass(frozen=True)
class Rate:
    """One conversion rate with where it came from and the date it is valid for."""

    source_currency: str
    target_currency: str
    value: Decimal
    as_of: str
    source: str


@dataclass
class RatesTable:
    """Units of each currency per one unit of `base`; overrides win ("USD>EUR": Decimal)."""

    base: str
    rates: dict[str, Decimal]
    as_of: str
    source: str = "manual"
    overrides: dict[str, Decimal] = field(default_factory=dict)

    def rate(self, source_currency: str, target_currency: str) -> Rate:
        """The rate to multiply a `source_currency` amount by to get `target_currency`."""
        pair = f"{source_currency}>{target_currency}"
        if pair in self.overrides:
            return Rate(
                source_currency,
                target_currency,
                Decimal(self.overrides[pair]),
                self.as_of,
                "manual override",
            )
        if source_currency == target_currency:
            return Rate(source_currency, target_currency, Decimal(1), self.as_of, self.source)
        try:
            per_source = Decimal(self.rates[source_currency])
            per_target = Decimal(self.rates[target_currency])
        except KeyError as exc:
            raise UnknownCurrency(str(exc.args[0])) from exc
        if per_source == 0:
            raise UnknownCurrency(source_currency)
        # Cross through the base exactly; rounding happens once, on the price.
        return Rate(
            source_currency, target_currency, per_target / per_source, self.as_of, self.source
        )

    def with_override(
        self, source_currency: str, target_currency: str, value: Decimal
    ) -> RatesTable:
        """A copy where one pair uses a rate the seller typed in."""
        merged = {**self.overrides, f"{source_currency}>{target_currency}": Decimal(value)}
        return RatesTable(self.base, dict(self.rates), self.as_of, self.source, merged)
