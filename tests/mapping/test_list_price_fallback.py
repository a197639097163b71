"""Where a marketplace requires a list price and the store has none, the price is the list price."""

from decimal import Decimal

from mapping.fx_seed import seed_rates
from mapping.listing import build_listing
from mapping.profiles import MappingProfile, default_profile
from mapping.schema_validation import ProductTypeSchema
from sandbox.amazon import demo_schemas
from sandbox.amazon.marketplaces import get as amazon_marketplace

DE = "A1PA6795UKMFR9"


def _product(compare_at=None) -> dict:
    return {
        "id": "1",
        "title": "Enamel Camping Mug",
        "description_html": "<p>A mug.</p>",
        "brand": "Crossport",
        "category": "Kitchen",
        "translations": {
            "de": {"title": "Emaille-Campingbecher", "description_html": "<p>Ein Becher.</p>"}
        },
        "variants": [
            {
                "id": "11",
                "sku": "MUG-1",
                "barcode": "4006381333931",
                "price": "20.00",
                "compare_at_price": compare_at,
                "currency": "EUR",
                "quantity": 5,
            }
        ],
    }


def _plan(compare_at=None):
    market = amazon_marketplace(DE)
    schema = ProductTypeSchema.from_schema(
        demo_schemas.build("KITCHEN", market), product_type="KITCHEN", marketplace_id=DE
    )
    profile = MappingProfile.load(
        {
            **default_profile("KITCHEN").to_dict(),
            "attributes": {"material": {"source": "constant", "value": "Enamel"}},
        }
    )
    return build_listing(
        _product(compare_at), _product(compare_at)["variants"][0], profile, DE, schema, seed_rates()
    )


def test_required_list_price_falls_back_to_the_price_and_says_so():
    plan = _plan()
    assert "list_price" not in {p.attribute for p in plan.problems}
    (entry,) = plan.payload["attributes"]["list_price"]
    assert Decimal(str(entry["value_with_tax"])) == plan.price_breakdown.price
    assert "list price = price" in plan.price_breakdown.text


def test_a_compare_at_price_is_the_list_price_when_the_store_has_one():
    plan = _plan(compare_at="30.00")
    (entry,) = plan.payload["attributes"]["list_price"]
    assert Decimal(str(entry["value_with_tax"])) > plan.price_breakdown.price
    assert "list price = price" not in plan.price_breakdown.text
