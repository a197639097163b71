"""From a store product to listing plans: valid payloads, texts kept byte for byte, feeds."""

from __future__ import annotations

import json
from functools import cache

import pytest
from jsonschema import Draft7Validator

from mapping.fx_seed import seed_rates
from mapping.listing import build_listing, build_listings
from mapping.payloads import feed_document, feed_message, patch_body, patches_for
from mapping.profiles import MappingProfile
from tests.mapping.products import VASE, completing_profile
from tests.mapping.schemas import compiled, needs_specs
from tests.support.specs import specs_path

DE = "HOME.de_DE.zh_CN-labels.schema.json"
JP = "HOME.ja_JP.zh_CN-labels.schema.json"
PRICES = {"*": {"markup_percent": "10", "ending": ".99"}, "A1VC38T7YXB528": {"ending": "80"}}


@pytest.fixture(autouse=True)
def _specs():
    needs_specs(DE, JP)


@cache
def _profile(name: str) -> MappingProfile:
    return completing_profile(
        VASE, compiled(name), seed_rates(), {"product_type": "HOME", "price_rules": PRICES}
    )


def _plan(name: str, product=VASE):
    schema = compiled(name)
    return build_listing(
        product, product["variants"][0], _profile(name), schema.marketplace_id, schema, seed_rates()
    )


@pytest.mark.parametrize("name", [DE, JP])
def test_a_mapped_vase_is_valid_with_its_price_breakdown(name):
    plan = _plan(name)
    assert plan.ok, [p.message for p in plan.problems]
    offer = plan.payload["attributes"]["purchasable_offer"][0]
    if name == DE:
        assert offer["currency"] == "EUR" and offer["our_price"][0]["schedule"][0] == {
            "value_with_tax": 30.99
        }
        assert plan.price_breakdown.text.startswith("29.90 USD × 0.9234 = 27.61 EUR, +10 % = 30.37")
    else:
        assert offer["currency"] == "JPY" and offer["our_price"][0]["schedule"][0] == {
            "value_with_tax": 4980
        }
    gtin = plan.payload["attributes"]["externally_assigned_product_identifier"][0]
    assert (gtin["type"], gtin["value"]) == ("ean", "4006381333931")
    assert plan.payload["attributes"]["fulfillment_availability"] == [
        {"fulfillment_channel_code": "DEFAULT", "quantity": 7}
    ]


@pytest.mark.parametrize(("name", "lang"), [(DE, "de"), (JP, "ja")])
def test_german_and_japanese_texts_are_kept_byte_for_byte(name, lang):
    plan = _plan(name)
    title = plan.payload["attributes"]["item_name"][0]
    assert title["value"].encode("utf-8") == VASE["translations"][lang]["title"].encode("utf-8")
    assert title["language_tag"] == {"de": "de_DE", "ja": "ja_JP"}[lang]
    message = feed_message(1, plan.sku, "UPDATE", "HOME", plan.payload["attributes"])
    wire = json.dumps(feed_document("A1SELLER", [message]), ensure_ascii=False).encode("utf-8")
    assert VASE["translations"][lang]["title"].encode("utf-8") in wire
    assert (
        json.loads(wire)["messages"][0]["attributes"]["item_name"][0]["value"]
        == (VASE["translations"][lang]["title"])
    )


def test_an_untranslated_title_on_amazon_de_is_a_warning_not_silence():
    product = {**VASE, "translations": {}}
    plan = _plan(DE, product)
    warnings = [p for p in plan.problems if p.code == "wrong_language"]
    assert warnings and warnings[0].severity == "warning"
    assert "looks English, not German" in warnings[0].message
    assert plan.ok  # a warning does not block


def test_missing_mapping_names_the_rule_that_came_up_empty():
    schema = compiled(DE)
    product = {**VASE, "brand": None}
    plan = build_listing(
        product, product["variants"][0], _profile(DE), schema.marketplace_id, schema, seed_rates()
    )
    brand = [p for p in plan.problems if p.attribute == "brand"]
    assert len(brand) == 1 and brand[0].code == "missing"
    assert "field brand" in brand[0].fix


def test_offer_on_an_existing_asin_is_offer_only():
    schema = compiled(DE)
    plan = build_listing(
        VASE,
        VASE["variants"][0],
        _profile(DE),
        schema.marketplace_id,
        schema,
        seed_rates(),
        asin="B0TESTASIN",
    )
    assert plan.payload["requirements"] == "LISTING_OFFER_ONLY"
    attributes = plan.payload["attributes"]
    assert attributes["merchant_suggested_asin"][0]["value"] == "B0TESTASIN"
    assert attributes["condition_type"][0]["value"] == "new_new"
    assert "item_name" not in attributes
    assert plan.ok, [p.message for p in plan.problems]


def _feed_validators():
    base = specs_path("sp-api", "schemas", "feeds")
    message = json.loads((base / "listings-feed-message-schema-v2.json").read_text())
    feed = json.loads((base / "listings-feed-schema-v2.json").read_text())
    return Draft7Validator(message), Draft7Validator(feed)


def test_feed_messages_validate_against_the_official_schema():
    message_schema, feed_schema = _feed_validators()
    plans = [_plan(DE), _plan(JP)]
    new_attrs = {
        **plans[0].payload["attributes"],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
    }
    messages = [
        feed_message(1, plans[0].sku, "UPDATE", "HOME", plans[0].payload["attributes"]),
        feed_message(
            2,
            plans[1].sku,
            "UPDATE",
            "HOME",
            plans[1].payload["attributes"],
            requirements="LISTING",
        ),
        feed_message(
            3,
            "VASE-1",
            "PARTIAL_UPDATE",
            "HOME",
            {"fulfillment_availability": new_attrs["fulfillment_availability"]},
        ),
        feed_message(
            4,
            "VASE-1",
            "PATCH",
            "HOME",
            patches=patches_for(plans[0].payload["attributes"], new_attrs),
        ),
        feed_message(5, "OLD-SKU", "DELETE"),
    ]
    for message in messages:
        errors = list(message_schema.iter_errors(message))
        assert errors == [], (message["operationType"], [e.message for e in errors])
    document = feed_document("A1SELLER", messages, issue_locale="en_US", report=True)
    assert list(feed_schema.iter_errors(document)) == []
    assert document["header"] == {
        "sellerId": "A1SELLER",
        "version": "2.0",
        "issueLocale": "en_US",
        "report": {"includedData": ["issues", "summaries"], "apiVersion": "2021-08-01"},
    }


def test_a_patch_replaces_only_what_changed():
    old = {"item_name": [{"value": "A"}], "brand": [{"value": "B"}], "color": [{"value": "x"}]}
    new = {"item_name": [{"value": "A2"}], "brand": [{"value": "B"}]}
    body = patch_body("HOME", patches_for(old, new))
    assert body == {
        "productType": "HOME",
        "patches": [
            {"op": "replace", "path": "/attributes/item_name", "value": [{"value": "A2"}]},
            {"op": "delete", "path": "/attributes/color", "value": [{"value": "x"}]},
        ],
    }


def _offer(price: float, currency: str = "EUR", **extra) -> dict:
    return {"currency": currency, "marketplace_id": "A1PA6795UKMFR9", "audience": "ALL",
            "our_price": [{"schedule": [{"value_with_tax": price}]}], **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "op"),
    [
        # a new price of our offer: merge, so a B2B offer set in Seller Central stays
        ([_offer(19.9)], [_offer(21.0)], "merge"),
        # our offer drops a field it had: merge would keep it, so replace
        ([_offer(19.9, discounted_price=[{"schedule": []}])], [_offer(21.0)], "replace"),
        # the offer's currency changed: merge would keep the old-currency entry, so replace
        ([_offer(19.9)], [_offer(21.0, currency="GBP")], "replace"),
    ],
)
def test_a_price_change_merges_the_offer_only_when_merge_ends_as_replace(old, new, op):
    patches = patches_for({"purchasable_offer": old}, {"purchasable_offer": new})
    assert patches == [{"op": op, "path": "/attributes/purchasable_offer", "value": new}]


def test_build_listings_for_a_single_product_is_one_plan():
    schema = compiled(DE)
    plans = build_listings(VASE, _profile(DE), schema.marketplace_id, schema, seed_rates())
    assert [(p.sku, p.role) for p in plans] == [("VASE-1", "single")]
