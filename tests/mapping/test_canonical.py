"""The canonical product schema: what store adapters hand over is checked and normalised."""

import pytest
from marshmallow import ValidationError

from mapping.canonical import ProductSchema, load_product


def _product(**overrides):
    base = {
        "id": "p1",
        "title": "Linen shirt",
        "variants": [{"id": "v1", "sku": "SH-1", "price": "29.90", "currency": "USD"}],
    }
    base.update(overrides)
    return base


def test_unknown_platform_keys_are_dropped_and_defaults_filled():
    loaded = load_product(_product(admin_graphql_api_id="gid://x"))
    assert "admin_graphql_api_id" not in loaded
    assert loaded["status"] == "active"
    assert loaded["variants"][0]["quantity"] == 0
    assert loaded["variants"][0]["options"] == {}


def test_prices_stay_decimal_strings_even_from_numbers():
    loaded = load_product(
        _product(variants=[{"id": "v", "sku": "S", "price": 12.5, "currency": "EUR"}])
    )
    assert loaded["variants"][0]["price"] == "12.5"


@pytest.mark.parametrize(
    "variant",
    [
        {"id": "v", "sku": "S", "price": "abc", "currency": "USD"},
        {"id": "v", "sku": "S", "price": "-1", "currency": "USD"},
        {"id": "v", "sku": "S", "price": "1", "currency": "usd"},
        {
            "id": "v",
            "sku": "S",
            "price": "1",
            "currency": "USD",
            "weight": {"value": 1, "unit": "st"},
        },
    ],
)
def test_malformed_variants_are_rejected(variant):
    with pytest.raises(ValidationError):
        ProductSchema().load(_product(variants=[variant]))


def test_translations_load_per_language():
    loaded = load_product(_product(translations={"de": {"title": "Leinenhemd"}}))
    assert loaded["translations"]["de"] == {"title": "Leinenhemd", "description_html": None}
