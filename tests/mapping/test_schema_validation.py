"""Local validation against every real product-type schema in ../shared/specs."""

from __future__ import annotations

import copy

import pytest

from mapping.examples import example_payload, schema_at
from tests.mapping.schemas import compiled, complete_payload, needs_specs, schema_ids
from tests.support.specs import missing

SCHEMAS = schema_ids() or ["(no specs)"]


@pytest.fixture(autouse=True)
def _specs():
    needs_specs()


@pytest.mark.parametrize("name", SCHEMAS)
def test_a_complete_product_passes(name):
    schema = compiled(name)
    payload = complete_payload(name)
    assert payload, "the example generator produced nothing"
    assert schema.validate(payload) == []
    assert schema.validator.is_valid(payload)  # plain jsonschema agrees


def _assert_exactly_one_problem_names(schema, payload: dict, removed: str) -> None:
    problems = schema.validate(payload)
    about = [p for p in problems if removed in (p.attribute, *p.alternatives)]
    assert len(about) == 1, (removed, [p.message for p in problems])
    problem = about[0]
    assert problem.code == "missing"
    assert removed in problem.message
    assert problem.marketplace_id == schema.marketplace_id
    assert problem.fix
    # Anything else the removal triggered is a conditional requirement that says why.
    for other in problems:
        if other is not problem:
            assert removed in other.message, other.message


@pytest.mark.parametrize("name", SCHEMAS)
def test_removing_each_required_attribute_yields_one_problem_naming_it(name):
    schema = compiled(name)
    payload = complete_payload(name)
    for attribute in payload:
        trial = {k: v for k, v in payload.items() if k != attribute}
        _assert_exactly_one_problem_names(schema, trial, attribute)


def _conditional_triggers(schema) -> dict:
    """Every boolean attribute some conditional looks at, set to true (batteries, hazmat...)."""
    text = str(schema.schema.get("allOf", []))
    base = {}
    for name, prop in schema.properties.items():
        value = ((prop.get("items") or {}).get("properties") or {}).get("value") or {}
        if value.get("type") == "boolean" and f"'{name}'" in text:
            base[name] = [{"value": True, "marketplace_id": schema.marketplace_id}]
    return base


@pytest.mark.parametrize("name", SCHEMAS)
def test_requirements_from_conditionals_are_found_and_named(name):
    schema = compiled(name)
    base = _conditional_triggers(schema)
    if not base:
        pytest.skip("no boolean-triggered conditionals")
    payload = example_payload(
        schema.schema, validator=schema.validator, base=base, is_valid=schema.check
    )
    assert schema.validate(payload) == [], "conditional example should be valid"
    plain = complete_payload(name)
    added = [k for k in payload if k not in plain and k not in base]
    for attribute in added:  # required only because of the true flags
        trial = {k: v for k, v in payload.items() if k != attribute}
        _assert_exactly_one_problem_names(schema, trial, attribute)


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _set(payload, path, value):
    target = payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@pytest.mark.parametrize("name", SCHEMAS)
def test_a_wrong_enum_value_is_caught(name):
    schema = compiled(name)
    payload = complete_payload(name)
    closed = [
        (path, v)
        for path, v in _leaves(payload)
        if schema_at(schema.schema, list(path)).get("enum") and path[-1] == "value"
    ]
    assert closed, "no closed enum in the complete payload"
    path, _ = closed[0]
    broken = copy.deepcopy(payload)
    _set(broken, path, "not_a_choice")
    problems = schema.validate(broken)
    assert [p.code for p in problems if p.attribute == path[0]] == ["invalid_value"]
    assert "not_a_choice" in problems[0].message


@pytest.mark.parametrize("name", SCHEMAS)
def test_a_value_too_long_in_utf8_bytes_is_caught(name):
    schema = compiled(name)
    payload = complete_payload(name)
    for path, _ in _leaves(payload):
        node = schema_at(schema.schema, list(path))
        limit = node.get("maxUtf8ByteLength")
        if limit and (limit // 3 + 1) <= node.get("maxLength", limit):
            break
    else:
        pytest.fail("no byte-limited string in the complete payload")
    text = "日" * (limit // 3 + 1)  # few characters, too many bytes
    assert len(text) <= node.get("maxLength", limit) < len(text.encode())
    broken = copy.deepcopy(payload)
    _set(broken, path, text)
    problems = schema.validate(broken)
    assert [(p.attribute, p.code) for p in problems] == [(path[0], "too_long")]
    assert "bytes" in problems[0].message


@pytest.mark.parametrize("name", SCHEMAS)
def test_a_second_value_where_one_is_allowed_is_caught(name):
    schema = compiled(name)
    payload = complete_payload(name)
    single = [k for k in payload if schema.properties[k].get("maxUniqueItems") == 1]
    attribute = "item_name" if "item_name" in single else single[0]
    broken = copy.deepcopy(payload)
    broken[attribute].append(copy.deepcopy(broken[attribute][0]))
    problems = schema.validate(broken)
    assert [(p.attribute, p.code) for p in problems] == [(attribute, "too_many_values")]


def test_gpsr_problem_reads_in_seller_words():
    de = next((n for n in SCHEMAS if n.startswith("HOME.de_DE")), None)
    if de is None:
        missing("no German HOME schema (HOME.de_DE.*)")
    schema = compiled(de)
    problems = schema.validate({**complete_payload(de), "gpsr_safety_attestation": [{}]})
    # An empty GPSR entry: Amazon.de names the field to fill in and where.
    assert [(p.attribute, p.code, p.path) for p in problems] == [
        ("gpsr_safety_attestation", "missing", "gpsr_safety_attestation/0/value")
    ]
    assert problems[0].message.startswith("Amazon.de needs 'value' in ")
