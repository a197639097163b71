"""Property-based: no product, however malformed, crashes the mapper; it yields problems."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.fx_seed import seed_rates
from mapping.listing import build_listing, build_listings
from mapping.profiles import MappingProfile
from tests.mapping.schemas import compiled, needs_specs, schema_ids

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def maybe(plausible):
    return st.one_of(plausible, JUNK)


VARIANT = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.text(max_size=5)),
        "sku": maybe(st.text(max_size=50)),
        "barcode": maybe(st.from_regex(r"\d{8,14}", fullmatch=True)),
        "price": maybe(st.decimals(min_value=-5, max_value=10**7, places=2).map(str)),
        "compare_at_price": maybe(st.decimals(allow_nan=True).map(str)),
        "currency": maybe(st.sampled_from(["USD", "EUR", "JPY", "CNY", "XYZ", "usd", ""])),
        "quantity": maybe(st.integers(-10, 10**6)),
        "weight": maybe(
            st.fixed_dictionaries(
                {"value": maybe(st.floats()), "unit": maybe(st.sampled_from(["kg", "g", "st"]))}
            )
        ),
        "dimensions": maybe(
            st.fixed_dictionaries(
                {
                    "length": st.floats(0, 1e6),
                    "width": st.floats(),
                    "height": JUNK,
                    "unit": st.sampled_from(["cm", "in", "mm", "ft"]),
                }
            )
        ),
        "options": maybe(
            st.dictionaries(
                st.sampled_from(["Size", "Color", "Farbe", "X"]), st.text(max_size=10), max_size=3
            )
        ),
        "metafields": maybe(
            st.dictionaries(st.sampled_from(["amazon.color", "amazon.size", "x"]), JUNK, max_size=2)
        ),
    },
)
PRODUCT = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.text(max_size=8)),
        "title": maybe(st.text(max_size=300)),
        "description_html": maybe(st.text(max_size=200).map(lambda t: f"<ul><li>{t}</li></ul>")),
        "brand": maybe(st.text(max_size=120)),
        "tags": maybe(st.lists(st.text(max_size=20), max_size=5)),
        "images": maybe(
            st.lists(st.sampled_from(["https://x/y.jpg", "ftp://bad", ""]), max_size=3)
        ),
        "options": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(["Size", "Color", "Engraving", ""]),
                        "values": st.lists(st.text(max_size=4), max_size=3),
                    }
                ),
                max_size=3,
            )
        ),
        "metafields": maybe(
            st.dictionaries(
                st.sampled_from(
                    [
                        "amazon.country_of_origin",
                        "amazon.batteries_required",
                        "amazon.dg_hz_regulation",
                    ]
                ),
                JUNK,
                max_size=3,
            )
        ),
        "translations": maybe(
            st.dictionaries(
                st.sampled_from(["de", "ja", "xx"]),
                st.fixed_dictionaries({"title": maybe(st.text())}),
                max_size=2,
            )
        ),
        "variants": maybe(st.lists(VARIANT, max_size=4)),
    },
)

RULE = st.fixed_dictionaries(
    {
        "source": st.sampled_from(
            [
                "field",
                "option",
                "metafield",
                "constant",
                "template",
                "convert",
                "identifier",
                "image",
                "text",
            ]
        ),
    },
    optional={
        "key": maybe(st.sampled_from(["title", "weight", "barcode", "Size"])),
        "value": JUNK,
        "template": st.text(max_size=20),
        "index": st.integers(-3, 3),
    },
)
PROFILE = st.builds(
    lambda rules: MappingProfile.load({"product_type": "HOME", "attributes": rules}),
    st.dictionaries(
        st.sampled_from(
            [
                "item_name",
                "color",
                "item_weight",
                "externally_assigned_product_identifier",
                "number_of_items",
                "brand",
            ]
        ),
        RULE,
        max_size=3,
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=PRODUCT, profile=PROFILE)
def test_no_product_crashes_the_mapper(product, profile):
    needs_specs()
    name = next((n for n in schema_ids() if n.startswith("HOME.de_DE")), schema_ids()[0])
    schema = compiled(name)
    plans = build_listings(product, profile, schema.marketplace_id, schema, seed_rates())
    assert plans
    for plan in plans:
        assert not [p for p in plan.problems if p.code == "mapper_error"], plan.problems
        assert plan.payload or plan.problems  # nothing half-built passes silently
    variant = (
        (product.get("variants") or [None])[0]
        if isinstance(product.get("variants"), list)
        else None
    )
    single = build_listing(product, variant, profile, schema.marketplace_id, schema, seed_rates())
    assert not [p for p in single.problems if p.code == "mapper_error"], single.problems
