"""The European Central Bank's daily reference rates: its XML file read, and turned to base USD.

The file (eurofxref-daily.xml) is a gesmes:Envelope holding Cube / Cube time="YYYY-MM-DD" /
Cube currency="USD" rate="1.0812" ..., each rate in units of the currency per 1 EUR. Crossport's
rates are units per 1 USD, so every rate is divided by the USD one, and EUR is 1 / rate(USD).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

NAMESPACE = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
# The rates are stored as Numeric(18, 8): round once here, so a rate read back compares equal.
STORED_PLACES = Decimal("0.00000001")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EcbFormatError(ValueError):
    """The rates file is not what the ECB publishes; the message says what and where."""

    # The same file read again is as malformed: final at once (jobs/failures.py); the next
    # hourly refresh reads whatever the ECB publishes then.
    retryable = False


@dataclass(frozen=True)
class EcbRates:
    """One day of ECB reference rates: units of each currency per 1 EUR."""

    day: date
    per_eur: dict[str, Decimal]

    def per_usd(self) -> dict[str, Decimal]:
        """The same day's rates as units per 1 USD (EUR included), rounded as they are stored."""
        usd = self.per_eur.get("USD")
        if usd is None:
            raise EcbFormatError(f"the rates of {self.day} have no USD rate to convert through")
        rates = {code: value / usd for code, value in self.per_eur.items() if code != "USD"}
        rates["EUR"] = Decimal(1) / usd
        return {code: value.quantize(STORED_PLACES) for code, value in sorted(rates.items())}


class _NoDoctype(ET.TreeBuilder):
    """Refuses any DOCTYPE: the ECB file has none, and entity tricks all need one."""

    def doctype(self, name, pubid, system):
        raise EcbFormatError("a DOCTYPE declaration (refused: the ECB file has none)")


def parse_ecb_daily(body: bytes, where: str) -> EcbRates:
    """The rates in an eurofxref-daily.xml body fetched from `where` (named in every error)."""
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(body)
        root = parser.close()
    except EcbFormatError as exc:
        raise EcbFormatError(f"{where}: {exc}") from None
    except ET.ParseError as exc:
        raise EcbFormatError(f"{where}: not well-formed XML ({exc})") from None
    if not root.tag.endswith("}Envelope"):
        raise EcbFormatError(f"{where}: the root element is {root.tag}, not gesmes:Envelope")
    days = root.findall(f"{{{NAMESPACE}}}Cube/{{{NAMESPACE}}}Cube[@time]")
    if len(days) != 1:
        raise EcbFormatError(f"{where}: expected one Cube with a time attribute, found {len(days)}")
    day = _day(days[0].get("time"), where)
    per_eur: dict[str, Decimal] = {}
    for cube in days[0].findall(f"{{{NAMESPACE}}}Cube"):
        code, rate = cube.get("currency"), cube.get("rate")
        at = f"{where}: Cube time={day} currency={code!r}"
        if code is None or not _CURRENCY.match(code):
            raise EcbFormatError(f"{at}: the currency is not a 3-letter ISO 4217 code")
        if code in per_eur:
            raise EcbFormatError(f"{at}: the currency is listed twice")
        per_eur[code] = _rate(rate, at)
    if "USD" not in per_eur:
        raise EcbFormatError(f"{where}: the rates of {day} have no USD rate to convert through")
    return EcbRates(day, per_eur)


def _day(raw: str | None, where: str) -> date:
    try:
        if not _DAY.match(raw or ""):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise EcbFormatError(f"{where}: Cube time={raw!r} is not a YYYY-MM-DD date") from None


def _rate(raw: str | None, at: str) -> Decimal:
    try:
        value = Decimal(raw or "")
    except InvalidOperation:
        raise EcbFormatError(f"{at}: rate={raw!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise EcbFormatError(f"{at}: rate={raw!r} is not a positive number")
    return value
