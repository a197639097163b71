"""Conditionals behind a value index (variation themes) judge exactly like jsonschema."""

from __future__ import annotations

import pytest

from mapping.amazon_keywords import AmazonValidator
from mapping.examples import example_payload
from mapping.schema_compiler import SchemaCompiler
from mapping.schema_triggers import TriggeredRules, trigger_of
from mapping.schema_validation import ProductTypeSchema
from tests.mapping.schemas import compiled, complete_payload, needs_specs, schema_ids

SCHEMAS = schema_ids() or ["(no specs)"]


def _as_child(schema: ProductTypeSchema, payload: dict, theme) -> dict:
    mp = schema.marketplace_id
    return {
        **payload,
        "parentage_level": [{"value": "child", "marketplace_id": mp}],
        "child_parent_sku_relationship": [
            {"child_relationship_type": "variation", "parent_sku": "P-1", "marketplace_id": mp}
        ],
        "variation_theme": [{"name": theme}],
    }


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_variation_theme_is_judged_like_jsonschema(name):
    needs_specs()
    schema = compiled(name)
    themes = schema.enum_of("variation_theme", "name")
    rules = [trigger_of(r) for r in schema.schema.get("allOf", [])]
    if not themes or not any(r and r[0] == "variation_theme" for r in rules):
        pytest.skip("no variation-theme conditionals")
    # given a complete payload made a child of each theme in turn (most then miss attributes)
    plain = SchemaCompiler(schema.schema, schema.validator).compile(schema.schema)
    verdicts = set()
    for theme in themes:
        payload = _as_child(schema, complete_payload(name), theme)
        # then the memoised root, the plain compiled root and jsonschema agree
        expected = schema.validator.is_valid(payload)
        verdicts.add(expected)
        assert schema.check(payload) == expected, theme
        assert plain(payload) == expected, theme
        assert (schema.validate(payload) == []) == expected, theme
    assert verdicts == {True, False}, "some themes should need attributes, some not"


@pytest.mark.parametrize("name", SCHEMAS)
def test_a_completed_child_of_a_theme_passes_and_each_theme_attribute_is_needed(name):
    needs_specs()
    schema = compiled(name)
    themes = schema.enum_of("variation_theme", "name")
    if not themes:
        pytest.skip("no variation themes")
    for theme in themes[:: max(1, len(themes) // 6)]:
        base = _as_child(schema, complete_payload(name), theme)
        payload = example_payload(
            schema.schema, validator=schema.validator, base=base, is_valid=schema.check
        )
        assert schema.validator.is_valid(payload) and schema.check(payload), theme
        for attribute in [k for k in payload if k not in base]:
            trial = {k: v for k, v in payload.items() if k != attribute}
            assert not schema.check(trial) and not schema.validator.is_valid(trial), attribute


def _theme_rule(theme_values, needed: str, otherwise: dict | None = None) -> dict:
    rule = {
        "if": {
            "allOf": [
                {"required": ["kind"]},
                {
                    "required": ["theme"],
                    "properties": {
                        "theme": {
                            "contains": {
                                "required": ["name"],
                                "properties": {"name": theme_values},
                            }
                        }
                    },
                },
            ]
        },
        "then": {"required": [needed]},
    }
    if otherwise is not None:
        rule["else"] = otherwise
    return rule


SYNTHETIC = {
    "type": "object",
    "properties": {"kind": {}, "theme": {}, "color": {}, "size": {}, "fit": {}, "spare": {}},
    "allOf": [
        _theme_rule({"enum": ["COLOR", "COLOR/SIZE"]}, "color"),
        _theme_rule({"enum": ["SIZE", "COLOR/SIZE"]}, "size"),
        _theme_rule({"const": "FIT"}, "fit", otherwise={"not": {"required": ["fit"]}}),
        {"properties": {"spare": {"type": "string"}}},
    ],
}

CASES = [
    {},
    {"kind": 1},
    {"kind": 1, "theme": [{"name": "COLOR"}]},
    {"kind": 1, "theme": [{"name": "COLOR"}], "color": 1},
    {"kind": 1, "theme": [{"name": "COLOR/SIZE"}], "color": 1},
    {"kind": 1, "theme": [{"name": "COLOR/SIZE"}], "color": 1, "size": 2},
    {"kind": 1, "theme": [{"name": "SIZE"}, {"name": "COLOR"}], "size": 2},
    {"kind": 1, "theme": [{"name": "OTHER"}]},
    {"kind": 1, "theme": [{"name": "OTHER"}], "fit": 1},  # else: fit is not allowed
    {"kind": 1, "theme": [{"name": "FIT"}], "fit": 1},
    {"kind": 1, "theme": [{"name": "FIT"}]},
    {"theme": [{"name": "COLOR"}]},  # the other conjunct of the if fails
    {"kind": 1, "theme": "COLOR"},  # not a list: contains holds vacuously
    {"kind": 1, "theme": "COLOR", "color": 1, "size": 2, "fit": 3},
    {"kind": 1, "theme": ["COLOR"]},  # a non-object item: required holds vacuously
    {"kind": 1, "theme": [7], "color": 1, "size": 2, "fit": 3},
    {"kind": 1, "theme": [{"name": 1}]},
    {"kind": 1, "theme": [{}]},
    {"kind": 1, "theme": []},
    {"kind": 1, "theme": None},
    {"kind": 1, "theme": [{"name": "COLOR"}], "color": 1, "spare": 3},
    "not an object",
    [],
]


@pytest.mark.parametrize("value", CASES, ids=[repr(c) for c in CASES])
def test_indexed_rules_agree_with_jsonschema_on_edge_cases(value):
    # given a schema whose rules are indexed both by the compiler and by the root memo
    validator = AmazonValidator(SYNTHETIC)
    plain = SchemaCompiler(SYNTHETIC, validator).compile(SYNTHETIC)
    memoised = ProductTypeSchema.from_schema(SYNTHETIC)
    # then both agree with jsonschema, on first sight and from the memo
    expected = validator.is_valid(value)
    assert plain(value) == expected
    assert memoised.check(value) == expected
    assert memoised.check(value) == expected
    assert (memoised.validate(value) == []) == expected


def test_the_index_takes_only_rules_whose_if_needs_the_value():
    assert trigger_of(_theme_rule({"enum": ["A", "B"]}, "a")) == (
        "theme",
        "name",
        frozenset({"A", "B"}),
    )
    assert trigger_of(_theme_rule({"enum": ["A", 1]}, "a")) is None  # 1 also equals 1.0
    assert trigger_of({**_theme_rule({"enum": ["A"]}, "a"), "required": ["x"]}) is None
    with_min = _theme_rule({"enum": ["A"]}, "a")
    with_min["if"]["allOf"][1]["properties"]["theme"]["minContains"] = 0
    assert trigger_of(with_min) is None  # minContains 0: contains holds with no match
    assert trigger_of({"if": {"not": with_min["if"]["allOf"][1]}, "then": False}) is None


def test_one_value_reaches_only_its_rules():
    # given three rules of which one lists "B"
    seen = []

    def rule(label):
        return lambda value: seen.append(label) or True

    rules = TriggeredRules(
        "theme",
        "name",
        [(frozenset({"A"}), rule("a"), None), (frozenset({"B"}), rule("b"), None)]
        + [(frozenset({"A", "C"}), rule("ac"), None)],
    )
    # when a payload names "B", then only that rule runs
    assert rules({"theme": [{"name": "B"}]})
    assert seen == ["b"]
