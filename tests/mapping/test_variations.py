"""Variations: size and colour become a valid parent and children; bad themes are reported."""

from __future__ import annotations

import copy
from functools import cache

import pytest

from mapping.fx_seed import seed_rates
from mapping.listing import build_listings
from mapping.marketplaces import marketplace
from mapping.variations import allowed_themes, plan_family, theme_for
from tests.mapping.products import COAT_PRODUCT, completing_profile
from tests.mapping.schemas import compiled, needs_specs

COAT = "COAT.en_US.schema.json"
SIZES = {
    size: {
        "size_system": "as1",
        "size_class": "alpha",
        "size": size.lower(),
        "body_type": "regular",
        "height_type": "regular",
    }
    for size in ("S", "M")
}


@pytest.fixture(autouse=True)
def _specs():
    needs_specs(COAT)


@cache
def _profile():
    base = {
        "product_type": "COAT",
        "attributes": {"apparel_size": {"source": "option", "key": "Size", "map": SIZES}},
    }
    return completing_profile(COAT_PRODUCT, compiled(COAT), seed_rates(), base)


def test_size_and_colour_give_a_valid_parent_then_children():
    schema = compiled(COAT)
    plans = build_listings(COAT_PRODUCT, _profile(), schema.marketplace_id, schema, seed_rates())
    assert [p.role for p in plans] == ["parent", "child", "child", "child", "child"]
    parent, children = plans[0], plans[1:]
    for plan in plans:
        assert plan.ok, (plan.sku, [p.message for p in plan.problems])
        assert schema.validator.is_valid(plan.payload["attributes"])  # plain jsonschema agrees
    attrs = parent.payload["attributes"]
    assert attrs["parentage_level"][0]["value"] == "parent"
    assert attrs["variation_theme"] == [{"name": "SIZE/COLOR"}]
    assert "purchasable_offer" not in attrs
    assert all("parent_sku" not in e for e in attrs.get("child_parent_sku_relationship", []))
    for child, variant in zip(children, COAT_PRODUCT["variants"], strict=True):
        c = child.payload["attributes"]
        assert child.sku == variant["sku"]
        assert c["parentage_level"][0]["value"] == "child"
        assert c["child_parent_sku_relationship"][0] == {
            "child_relationship_type": "variation",
            "parent_sku": parent.sku,
            "marketplace_id": schema.marketplace_id,
        }
        assert c["color"][0]["value"] == variant["options"]["Color"]
        assert c["apparel_size"][0]["size"] == variant["options"]["Size"].lower()


def test_an_unsupported_theme_is_reported_not_sent():
    schema = compiled(COAT)
    product = copy.deepcopy(COAT_PRODUCT)
    product["options"] = [{"name": "Engraving", "values": ["A", "B", "C", "D"]}]
    for variant, text in zip(product["variants"], "ABCD", strict=True):
        variant["options"] = {"Engraving": text}
    plans = build_listings(product, _profile(), schema.marketplace_id, schema, seed_rates())
    assert len(plans) == 1 and plans[0].payload == {}
    (problem,) = plans[0].problems
    assert (problem.attribute, problem.code) == ("variation_theme", "unsupported_theme")
    assert "does not allow COAT variations by Engraving" in problem.message


def test_a_theme_forced_by_the_seller_must_be_allowed():
    schema = compiled(COAT)
    family = plan_family(
        COAT_PRODUCT, schema, marketplace(schema.marketplace_id), theme="SIZE/FLAVOR"
    )
    assert family.theme is None and family.problems[0].code == "unsupported_theme"


def test_theme_matching_prefers_current_themes_and_handles_synonyms():
    allowed = allowed_themes(compiled(COAT))
    assert theme_for(["Größe", "Farbe"], allowed) == "SIZE/COLOR"
    assert theme_for(["Colour"], allowed) == "COLOR"
    assert theme_for(["Engraving"], allowed) is None


def test_duplicate_option_combinations_are_reported():
    schema = compiled(COAT)
    product = copy.deepcopy(COAT_PRODUCT)
    product["variants"][1]["options"] = dict(product["variants"][0]["options"])
    family = plan_family(product, schema, marketplace(schema.marketplace_id))
    assert [p.code for p in family.problems] == ["duplicate_variant"]
