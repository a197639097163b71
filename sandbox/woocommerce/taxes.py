"""How a WooCommerce store with taxes on recomputes an order's taxes, and the e-mails it sends.

Sources (real WooCommerce 11.0.1 store, ../shared/specs/woocommerce/captures/orders/, README
"Orders and taxes"):
* POST /orders recalculates tax on the NET line, fee and shipping totals for the shipping
  address, per line, rounded to cents (create-us-processing: 74.50 -> 5.40, 5.99 -> 0.43);
  explicit subtotal_tax/total_tax/taxes and tax_lines in the request are ignored
  (create-de-explicit-line-taxes: 14.20 sent, 14.21 stored).
* The store option `woocommerce_prices_include_tax` only sets `prices_include_tax` on the order;
  line totals are still taken as net (create-de-gross-prices-include-tax: 222.90 -> 265.25).
* Order meta `is_vat_exempt=yes` removes every tax: totals stay as sent
  (create-de-gross-is_vat_exempt).
* Taxes off: no tax at all (WooCommerce's WC_Order_Item::calculate_taxes sets no taxes unless
  wc_tax_enabled()).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# The capture store's rates (captures/README.md "Versions and store setup"): both also on shipping.
CAPTURE_RATES = [
    {"id": 1, "country": "US", "state": "CA", "rate": "7.25", "name": "CA Sales Tax"},
    {"id": 2, "country": "DE", "state": "", "rate": "19", "name": "MwSt"},
]


@dataclass
class TaxSettings:
    enabled: bool = False  # woocommerce_calc_taxes
    prices_include_tax: bool = False  # woocommerce_prices_include_tax
    rates: list[dict] = field(default_factory=list)

    def configure(self, data: dict) -> None:
        if "enabled" in data:
            self.enabled = bool(data["enabled"])
        if "prices_include_tax" in data:
            self.prices_include_tax = bool(data["prices_include_tax"])
        if "rates" in data:
            rates = CAPTURE_RATES if data["rates"] == "capture" else data["rates"]
            self.rates = [dict(r) for r in rates]

    def view(self) -> dict:
        return {
            "enabled": self.enabled,
            "prices_include_tax": self.prices_include_tax,
            "rates": self.rates,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _rates_for(settings: TaxSettings, order: dict) -> list[dict]:
    """Rates for the order's tax location: the shipping address, else the billing address."""
    where = order["shipping"] if order["shipping"].get("country") else order["billing"]
    country, state = (where.get("country") or "").upper(), (where.get("state") or "").upper()
    return [
        r
        for r in settings.rates
        if r["country"].upper() == country and (not r.get("state") or r["state"].upper() == state)
    ]


def _taxes(rates: list[dict], amount: Decimal) -> dict[int, Decimal]:
    return {r["id"]: _cents(amount * Decimal(str(r["rate"])) / 100) for r in rates}


def recalculate_taxes(settings: TaxSettings, order: dict, vat_exempt: bool) -> None:
    """Set every line's taxes and the order's tax_lines as the store computes them."""
    rates = _rates_for(settings, order) if settings.enabled and not vat_exempt else []
    per_rate: dict[int, list[Decimal]] = {r["id"]: [Decimal(0), Decimal(0)] for r in rates}
    for item in order["line_items"]:
        totals = _taxes(rates, Decimal(item["total"]))
        subtotals = _taxes(rates, Decimal(item["subtotal"]))
        item["taxes"] = [
            {"id": i, "total": str(t), "subtotal": str(subtotals[i])} for i, t in totals.items()
        ]
        item["total_tax"] = str(sum(totals.values(), Decimal(0)).quantize(CENT))
        item["subtotal_tax"] = str(sum(subtotals.values(), Decimal(0)).quantize(CENT))
        for i, t in totals.items():
            per_rate[i][0] += t
    for fee in order["fee_lines"]:
        taxable = fee.get("tax_status", "taxable") == "taxable"
        totals = _taxes(rates if taxable else [], Decimal(fee["total"]))
        fee["taxes"] = [{"id": i, "total": str(t), "subtotal": ""} for i, t in totals.items()]
        fee["total_tax"] = str(sum(totals.values(), Decimal(0)).quantize(CENT))
        for i, t in totals.items():
            per_rate[i][0] += t
    for line in order["shipping_lines"]:
        totals = _taxes(rates, Decimal(line["total"]))
        line["taxes"] = [{"id": i, "total": str(t), "subtotal": ""} for i, t in totals.items()]
        line["total_tax"] = str(sum(totals.values(), Decimal(0)).quantize(CENT))
        for i, t in totals.items():
            per_rate[i][1] += t
    order["tax_lines"] = [
        {
            "rate_code": f"{r['country']}-{r.get('state') or ''}-{r['name']}-1".upper().replace(
                "--", "-"
            ),
            "rate_id": r["id"],
            "label": r["name"],
            "compound": False,
            "tax_total": str(per_rate[r["id"]][0].quantize(CENT)),
            "shipping_tax_total": str(per_rate[r["id"]][1].quantize(CENT)),
            "rate_percent": float(r["rate"]),
            "meta_data": [],
        }
        for r in rates
        if any(per_rate[r["id"]])
    ]
