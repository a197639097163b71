"""The ECB's daily reference rates as a Flask app: `create_fx()`.

`GET /stats/eurofxref/eurofxref-daily.xml` answers in the ECB's format (gesmes:Envelope, rates in
units per 1 EUR, 5 significant digits). It starts with the sandbox seed (mapping/fx_seed.py, base
USD) converted to base EUR, for the currencies the ECB publishes: AED or SAR are left out, as
the ECB leaves them out.

Test controls under /_sandbox/:
  GET  rates                          the day and rates served now
  POST rates {"time": "YYYY-MM-DD", "rates": {"USD": "1.0812", ...}}   publish another day
  POST fault {"status": 500} or {"body": "<not xml"}   answer that instead, until DELETE fault
  POST reset                          back to the seed, no fault
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from mapping.fx_seed import SEED_DATE, USD_RATES

DAILY_PATH = "/stats/eurofxref/eurofxref-daily.xml"
# The currencies the ECB publishes reference rates for (not EUR itself, the base).
ECB_CURRENCIES = (
    "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK",
    "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD",
    "PHP", "SGD", "THB", "ZAR",
)  # fmt: skip
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
    "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n"
)


def seed_per_eur() -> dict[str, str]:
    """The sandbox seed as the ECB would publish it: units per 1 EUR, 5 significant digits."""
    eur = Decimal(USD_RATES["EUR"])
    return {
        code: _five_digits(Decimal(USD_RATES[code]) / eur)
        for code in ECB_CURRENCIES
        if code in USD_RATES
    }


def _five_digits(value: Decimal) -> str:
    return format(value.quantize(Decimal(1).scaleb(value.adjusted() - 4)), "f")


class RatesDesk:
    """The day and rates served now, and a fault to answer instead (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.day, self.rates, self.fault = SEED_DATE, seed_per_eur(), None

    def xml(self) -> str:
        with self.lock:
            day, rates = self.day, dict(self.rates)
        lines = [f"\t\t\t<Cube currency='{code}' rate='{rate}'/>" for code, rate in rates.items()]
        cubes = "\n".join(lines)
        tail = "\t\t</Cube>\n\t</Cube>\n</gesmes:Envelope>\n"
        return f"{_HEAD}\t<Cube>\n\t\t<Cube time='{day}'>\n{cubes}\n{tail}"


bp = Blueprint("fx", __name__)


def _desk() -> RatesDesk:
    return current_app.config["FX_DESK"]


@bp.get("/")
def index():
    return f"ECB reference rates emulator: {DAILY_PATH}\n", 200, {"Content-Type": "text/plain"}


@bp.get(DAILY_PATH)
def daily():
    desk = _desk()
    fault = desk.fault
    if fault is not None:
        return Response(fault.get("body", ""), status=fault.get("status", 200),
                        content_type="text/xml")  # fmt: skip
    return Response(desk.xml(), content_type="text/xml")


@bp.get("/_sandbox/rates")
def get_rates():
    desk = _desk()
    with desk.lock:
        return jsonify({"time": desk.day, "rates": dict(desk.rates)})


@bp.post("/_sandbox/rates")
def set_rates():
    body = request.get_json(silent=True) or {}
    day, rates = body.get("time"), body.get("rates")
    try:
        date.fromisoformat(str(day))
    except ValueError:
        return jsonify({"error": f"time: {day!r} is not a YYYY-MM-DD date"}), 400
    if not isinstance(rates, dict) or "USD" not in rates:
        return jsonify({"error": "rates: an object of currency -> rate per EUR, with USD"}), 400
    for code, rate in rates.items():
        try:
            ok = Decimal(str(rate)) > 0
        except InvalidOperation:
            ok = False
        if not ok:
            return jsonify({"error": f"rates.{code}: {rate!r} is not a positive number"}), 400
    desk = _desk()
    with desk.lock:
        desk.day, desk.rates = str(day), {code: str(rate) for code, rate in rates.items()}
    return jsonify({"time": desk.day, "rates": desk.rates})


@bp.post("/_sandbox/fault")
def set_fault():
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("status", 200), int) or not isinstance(body.get("body", ""), str):
        return jsonify({"error": "status: an HTTP status code; body: the text to answer"}), 400
    _desk().fault = {"status": body.get("status", 200), "body": body.get("body", "")}
    return jsonify(_desk().fault)


@bp.delete("/_sandbox/fault")
def clear_fault():
    _desk().fault = None
    return "", 204


@bp.post("/_sandbox/reset")
def reset():
    with _desk().lock:
        _desk().reset()
    return "", 204


def create_fx() -> Flask:
    """A Flask app serving the ECB daily rates file, seeded, with test controls."""
    app = Flask(__name__)
    app.config["FX_DESK"] = RatesDesk()
    app.register_blueprint(bp)
    return app
