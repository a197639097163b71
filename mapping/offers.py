"""The offer part of a listing: Amazon price, list price and stock for one marketplace."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from mapping.fx import RatesTable, UnknownCurrency
from mapping.marketplaces import Marketplace
from mapping.messages import N_, say
from mapping.pricing import PriceBreakdown, PriceRule, minor_unit, price_for
from mapping.problems import Problem
from mapping.profiles import MappingProfile
from mapping.schema_validation import ProductTypeSchema


def _amount(value: Decimal, currency: str) -> int | float:
    return int(value) if minor_unit(currency) == 1 else float(value)


def price_rule(profile: MappingProfile, market_id: str) -> PriceRule:
    data = profile.price_rule_data(market_id)
    known = {k: v for k, v in data.items() if k in PriceRule.__dataclass_fields__}
    for key in ("markup_percent", "markup_fixed", "minimum", "maximum", "rate_override"):
        if known.get(key) is not None:
            known[key] = Decimal(str(known[key]))
    return PriceRule(**known)


def offer_attributes(
    variant: dict,
    profile: MappingProfile,
    market: Marketplace,
    schema: ProductTypeSchema,
    rates: RatesTable,
) -> tuple[dict, PriceBreakdown | None, list[Problem]]:
    attributes: dict = {}
    try:
        breakdown = price_for(
            variant["price"],
            variant["currency"],
            market,
            price_rule(profile, market.id),
            rates,
            variant.get("compare_at_price"),
        )
    except (UnknownCurrency, InvalidOperation, KeyError, ValueError, TypeError) as exc:
        return (
            attributes,
            None,
            [
                Problem(
                    "purchasable_offer",
                    market.id,
                    "no_price",
                    say(
                        N_(
                            "No %(currency)s price for %(site)s: "
                            "no rate or no valid price (%(reason)s)."
                        ),
                        currency=market.currency,
                        site=market.site,
                        reason=str(exc),
                    ),
                    say(N_("Add the exchange rate or a manual rate override in the price rules.")),
                    path="purchasable_offer",
                )
            ],
        )
    currency = market.currency
    price = _amount(breakdown.price, currency)
    if "purchasable_offer" in schema.properties:
        attributes["purchasable_offer"] = [
            {
                "currency": currency,
                "marketplace_id": market.id,
                "audience": "ALL",
                "our_price": [{"schedule": [{"value_with_tax": price}]}],
            }
        ]
    list_price = breakdown.list_price
    if list_price is None and _may_be_required(schema, "list_price"):
        # The marketplace requires a list price and the store has no compare-at price: the
        # price the product normally sells for is its list price (said in the breakdown).
        list_price = breakdown.price
        breakdown.list_price = list_price
        breakdown.steps.append(f"list price = price {list_price} {currency} (no compare-at price)")
    if list_price is not None and "list_price" in schema.properties:
        props = (schema.properties["list_price"].get("items") or {}).get("properties") or {}
        key = "value_with_tax" if "value_with_tax" in props else "value"
        entry = {"currency": currency, key: _amount(list_price, currency)}
        if "marketplace_id" in props:
            entry["marketplace_id"] = market.id
        attributes["list_price"] = [entry]
    channel = profile.setting("fulfillment_channel_code", market.id) or "DEFAULT"
    availability: dict = {"fulfillment_channel_code": channel}
    if channel == "DEFAULT":
        buffer = int(profile.setting("quantity_buffer", market.id) or 0)
        availability["quantity"] = max(0, int(variant.get("quantity") or 0) - buffer)
        lead = profile.setting("lead_time_days", market.id)
        if lead:
            availability["lead_time_to_ship_max_days"] = int(lead)
    if "fulfillment_availability" in schema.properties:
        attributes["fulfillment_availability"] = [availability]
    return attributes, breakdown, []


def _may_be_required(schema: ProductTypeSchema, attribute: str) -> bool:
    """Whether the schema requires `attribute`, at the top or in any if/then/else branch
    (answered once per schema: a product type has a hundred conditionals)."""
    answers = schema.memo.setdefault("may_be_required", {})
    found = answers.get(attribute)
    if found is None:
        raw = schema.schema
        found = answers[attribute] = attribute in raw.get("required", []) or any(
            attribute in (branch.get(key) or {}).get("required", [])
            for branch in raw.get("allOf", [])
            for key in ("then", "else")
        )
    return found
