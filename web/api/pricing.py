"""Pricing: one rule per marketplace, the exchange rate used with its date, and live examples."""

from __future__ import annotations

from decimal import Decimal

from flask import g
from marshmallow import Schema, fields, validate

from core.db import db
from core.models import PriceRule, VariantSnapshot
from jobs.fx_rates import rates_table
from jobs.listing_sync import request_reprice
from mapping.fx import RatesTable, UnknownCurrency
from mapping.marketplaces import MARKETPLACES
from mapping.pricing import PriceRule as Rule
from mapping.pricing import price_for
from web.api.products import enabled_marketplaces
from web.api.registry import not_found, operation

RULE_KEYS = (
    "markup_percent",
    "markup_fixed",
    "ending",
    "minimum",
    "maximum",
    "vat",
    "rate_override",
    "list_price",
)


class RuleSchema(Schema):
    markup_percent = fields.Decimal(
        as_string=True, load_default=Decimal(0), validate=validate.Range(min=-90, max=1000)
    )
    markup_fixed = fields.Decimal(as_string=True, load_default=Decimal(0))
    ending = fields.Str(
        allow_none=True, load_default=None, validate=validate.Regexp(r"^(\.\d{1,2}|\d{1,3})$")
    )
    minimum = fields.Decimal(as_string=True, allow_none=True, load_default=None)
    maximum = fields.Decimal(as_string=True, allow_none=True, load_default=None)
    vat = fields.Str(load_default="included", validate=validate.OneOf(("included", "add")))
    rate_override = fields.Decimal(as_string=True, allow_none=True, load_default=None)
    list_price = fields.Bool(load_default=True)


class ExampleSchema(Schema):
    sku = fields.Str()
    store_price = fields.Str()
    price = fields.Str(allow_none=True)
    breakdown = fields.Str()
    error = fields.Str(allow_none=True)


class MarketPricingSchema(Schema):
    marketplace_id = fields.Str()
    name = fields.Str()
    currency = fields.Str()
    rule = fields.Nested(RuleSchema)
    rate = fields.Str(allow_none=True)
    rate_date = fields.Str(allow_none=True)
    rate_source = fields.Str(allow_none=True)
    examples = fields.List(fields.Nested(ExampleSchema))


class PricingSchema(Schema):
    store_currency = fields.Str()
    marketplaces = fields.List(fields.Nested(MarketPricingSchema))


def _rule(row: PriceRule | None) -> dict:
    return RuleSchema().load(
        {
            k: v
            for k, v in ((row.rule if row else {}) or {}).items()
            if k in RULE_KEYS and v is not None
        }
    )


def market_pricing(market: dict, row: PriceRule | None, table: RatesTable) -> dict:
    rule_data = _rule(row)
    currency = g.shop.currency
    view = {
        "marketplace_id": market["marketplace_id"],
        "name": market["name"],
        "currency": market["currency"],
        "rule": rule_data,
        "rate": None,
        "rate_date": None,
        "rate_source": None,
        "examples": [],
    }
    known = MARKETPLACES.get(market["marketplace_id"])
    try:
        rate = table.rate(currency, market["currency"])
        view.update(
            rate=str(rate.value.quantize(Decimal("0.000001"))),
            rate_date=rate.as_of,
            rate_source=rate.source,
        )
    except UnknownCurrency:
        return view
    samples = (
        db.session.query(VariantSnapshot)
        .filter(VariantSnapshot.shop_id == g.shop_id, VariantSnapshot.price.is_not(None))
        .order_by(VariantSnapshot.id)
        .limit(3)
        .all()
    )
    for variant in samples:
        example = {
            "sku": variant.sku,
            "store_price": f"{variant.price:.2f} {currency}",
            "price": None,
            "breakdown": "",
            "error": None,
        }
        try:
            result = price_for(
                variant.price,
                currency,
                known,
                Rule(**rule_data),
                table,
                (variant.data or {}).get("compare_at_price"),
            )
            example.update(price=f"{result.price} {result.currency}", breakdown=result.text)
        except (UnknownCurrency, AttributeError, ArithmeticError) as exc:
            example["error"] = str(exc)
        view["examples"].append(example)
    return view


@operation(
    "/pricing",
    summary="Price rules per marketplace with rates and live examples",
    tag="pricing",
    response=PricingSchema,
)
def get_pricing():
    table = rates_table()
    rows = {r.marketplace_id: r for r in db.session.query(PriceRule).filter_by(shop_id=g.shop_id)}
    return {
        "store_currency": g.shop.currency,
        "marketplaces": [
            market_pricing(m, rows.get(m["marketplace_id"]), table)
            for m in enabled_marketplaces(g.shop_id)
        ],
    }


@operation(
    "/pricing/<marketplace_id>",
    "PUT",
    summary="Save the price rule of a marketplace",
    tag="pricing",
    min_role="editor",
    body=RuleSchema,
    response=MarketPricingSchema,
)
def save_price_rule(marketplace_id: str, body: dict):
    market = next(
        (m for m in enabled_marketplaces(g.shop_id) if m["marketplace_id"] == marketplace_id), None
    )
    if market is None:
        return not_found("marketplace not enabled")
    row = (
        db.session.query(PriceRule)
        .filter_by(shop_id=g.shop_id, marketplace_id=marketplace_id)
        .one_or_none()
    )
    if row is None:
        row = PriceRule(shop_id=g.shop_id, marketplace_id=marketplace_id)
        db.session.add(row)
    rule = RuleSchema().dump(body)
    changed = row.rule != rule
    row.rule = rule
    db.session.commit()
    if changed:  # live listings take the new prices; an unchanged save costs nothing
        request_reprice(g.shop_id)
    return market_pricing(market, row, rates_table())
