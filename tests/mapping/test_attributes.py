"""Mapping profiles and attribute shaping: sources, transforms, overrides, Amazon's shape."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from mapping.attributes import gtin_type, map_attributes, resolve_source
from mapping.compliance import compliance_hints
from mapping.marketplaces import MARKETPLACES
from mapping.profiles import MappingProfile, default_profile
from mapping.schema_validation import SchemaCache
from mapping.texts import texts_for
from mapping.units import convert
from tests.mapping.products import VASE
from tests.mapping.schemas import compiled, needs_specs

DE, US = MARKETPLACES["A1PA6795UKMFR9"], MARKETPLACES["ATVPDKIKX0DER"]
DE_SCHEMA, US_SCHEMA = "HOME.de_DE.zh_CN-labels.schema.json", "HOME.en_US.schema.json"


@pytest.fixture
def schemas():
    needs_specs(DE_SCHEMA, US_SCHEMA)
    return compiled(DE_SCHEMA), compiled(US_SCHEMA)


def _map(profile, market, schema, product=VASE):
    texts = texts_for(product, market, profile.texts)
    return map_attributes(
        product, product["variants"][0], profile.rules_for(market.id), market, schema, texts
    )


def test_defaults_give_amazon_shaped_attributes_per_marketplace(schemas):
    de, us = schemas
    attrs, problems = _map(default_profile("HOME"), DE, de)
    assert problems == []
    assert attrs["brand"] == [
        {"value": "Kiln & Co", "marketplace_id": DE.id, "language_tag": "de_DE"}
    ]
    assert attrs["item_package_weight"] == [
        {"value": 1.2, "unit": "kilograms", "marketplace_id": DE.id}
    ]
    assert attrs["externally_assigned_product_identifier"][0]["type"] == "ean"
    assert attrs["generic_keyword"][0]["value"] == "vase ceramic"  # one value allowed
    assert attrs["main_product_image_locator"] == [
        {"media_location": "https://cdn.example.com/vase.jpg", "marketplace_id": DE.id}
    ]
    us_attrs, _ = _map(default_profile("HOME"), US, us)
    assert us_attrs["item_package_weight"][0] == {
        "value": 2.65,
        "unit": "pounds",
        "marketplace_id": US.id,
    }
    dims = us_attrs["item_package_dimensions"][0]
    assert dims["height"] == {"value": 11.81, "unit": "inches"}


def test_overrides_templates_maps_and_fallbacks(schemas):
    de, _ = schemas
    profile = MappingProfile.load(
        {
            "product_type": "HOME",
            "attributes": {
                "recommended_browse_nodes": {"source": "constant", "value": "3581943031"},
                "model_name": {
                    "source": "template",
                    "template": "{brand} {metafield.amazon.color} vase",
                },
                "color": {
                    "source": "option",
                    "key": "Farbe",
                    "fallback": {"source": "constant", "value": "Blau"},
                },
                "country_of_origin": {
                    "source": "metafield",
                    "key": "amazon.country_of_origin",
                    "map": {"PT": "ES"},
                },
            },
            "overrides": {
                DE.id: {"recommended_browse_nodes": {"source": "constant", "value": "3581944031"}}
            },
            "disabled": ["generic_keyword"],
        }
    )
    attrs, _ = _map(profile, DE, de)
    assert attrs["recommended_browse_nodes"][0]["value"] == "3581944031"
    assert attrs["model_name"][0]["value"] == "Kiln & Co Blue vase"
    assert attrs["color"][0]["value"] == "Blau"
    assert attrs["country_of_origin"][0]["value"] == "ES"
    assert "generic_keyword" not in attrs
    assert profile.rules_for(US.id)["recommended_browse_nodes"]["value"] == "3581943031"


def test_a_bad_barcode_is_reported_not_sent(schemas):
    de, _ = schemas
    product = {**VASE, "variants": [{**VASE["variants"][0], "barcode": "4006381333932"}]}
    attrs, problems = _map(default_profile("HOME"), DE, de, product)
    assert "externally_assigned_product_identifier" not in attrs
    assert [(p.attribute, p.code) for p in problems] == [
        ("externally_assigned_product_identifier", "unmappable")
    ]
    assert "check digit" in problems[0].message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("036000291452", "upc"),
        ("4006381333931", "ean"),
        ("4901234567894", "ean"),
        ("12345678", None),
    ],
)
def test_gtin_types(code, kind):
    assert gtin_type(code, ["ean", "upc", "gtin"]) == kind


def test_units_convert_exactly():
    assert convert(1.2, "kg", "pounds") == 2.65
    assert convert(900, "g", "kilograms") == 0.9
    assert convert(10, "in", "centimeters") == 25.4


def test_a_malformed_profile_is_rejected_at_the_boundary():
    with pytest.raises(ValidationError):
        MappingProfile.load({"product_type": "HOME", "attributes": {"x": {"source": "magic"}}})


def test_resolve_source_reads_variant_before_product():
    variant = {"sku": "S", "options": {"Color": "Red"}, "metafields": {"amazon.size": "L"}}
    product = {"brand": "B", "metafields": {"amazon.size": "M"}}
    texts = texts_for({"title": "T"}, US, check_language=False)
    assert resolve_source({"source": "field", "key": "sku"}, product, variant, texts) == "S"
    assert (
        resolve_source({"source": "metafield", "key": "amazon.size"}, product, variant, texts)
        == "L"
    )
    assert (
        resolve_source({"source": "option", "key": ["colour", "color"]}, product, variant, texts)
        == "Red"
    )


def test_compliance_hints_follow_the_marketplace(schemas):
    de, us = schemas
    de_hints = {h.attribute for h in compliance_hints(de, {}, DE, [])}
    us_hints = {h.attribute for h in compliance_hints(us, {}, US, [])}
    assert {"gpsr_manufacturer_reference", "supplier_declared_dg_hz_regulation"} <= de_hints
    assert not any(a.startswith("gpsr_") for a in us_hints)


def test_schema_cache_keys_versions_and_evicts():
    tiny = {"type": "object", "required": ["brand"], "properties": {"brand": {"type": "array"}}}
    cache = SchemaCache(max_entries=2)
    cache.put(tiny, "HOME", DE.id, "de_DE", "v1")
    assert cache.get("HOME", DE.id, "de_DE").version == "v1"
    assert cache.is_current("HOME", DE.id, "de_DE", "v1")
    assert not cache.is_current("HOME", DE.id, "de_DE", "v2")
    cache.put(tiny, "HOME", DE.id, "de_DE", "v2")
    assert cache.get("HOME", DE.id, "de_DE").version == "v2"  # latest wins without a version
    assert cache.get("HOME", DE.id, "de_DE", "v1").version == "v1"
    cache.put(tiny, "HOME", US.id, "en_US", "v1")
    # least recently used goes first: v1 was just read, so v2 made room
    assert len(cache) == 2 and cache.get("HOME", DE.id, "de_DE", "v2") is None
