"""The compiled fast check judges exactly like jsonschema with Amazon's keywords."""

from __future__ import annotations

import copy
import random

import pytest

from mapping.amazon_keywords import AmazonValidator
from mapping.schema_compiler import SchemaCompiler
from tests.mapping.schemas import compiled, complete_payload, needs_specs, schema_ids

SCHEMAS = schema_ids() or ["(no specs)"]
REPLACEMENTS = ["", 0, 1.5, True, None, "日" * 700, [], {}, "not_a_choice", -1]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@pytest.mark.parametrize("name", SCHEMAS)
def test_fast_check_agrees_with_jsonschema_on_mutations(name):
    needs_specs()
    schema = compiled(name)
    payload = complete_payload(name)
    rng = random.Random(name)
    paths = [p for p in _paths(payload) if p]
    for path in rng.sample(paths, min(8, len(paths))):
        for replacement in rng.sample(REPLACEMENTS, 3):
            mutated = copy.deepcopy(payload)
            target = mutated
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = replacement
            assert schema.check(mutated) == schema.validator.is_valid(mutated), (path, replacement)
        mutated = copy.deepcopy(payload)
        target = mutated
        for part in path[:-1]:
            target = target[part]
        if isinstance(target, dict):
            del target[path[-1]]
            assert schema.check(mutated) == schema.validator.is_valid(mutated), ("del", path)


@pytest.mark.parametrize(
    ("node", "good", "bad"),
    [
        ({"type": "integer"}, 3.0, True),
        ({"enum": [1, "a"]}, 1, True),
        ({"const": False}, False, 0),
        ({"multipleOf": 0.01}, 40.52, 0.075),
        ({"maxUtf8ByteLength": 4}, "abcd", "日日"),
        (
            {"type": "array", "maxUniqueItems": 1, "selectors": ["m"]},
            [{"m": 1}, {"m": 2}],
            [{"m": 1}, {"m": 1}],
        ),
        ({"oneOf": [{"type": "string"}, {"maxLength": 1}]}, "ab", "a"),
        ({"contains": {"const": 1}}, [0, 1], []),
        ({"dependentRequired": {"a": ["b"]}}, {"a": 1, "b": 2}, {"a": 1}),  # via fallback
    ],
)
def test_keywords_match_jsonschema(node, good, bad):
    check = SchemaCompiler(node, AmazonValidator(node)).compile(node)
    assert check(good) and AmazonValidator(node).is_valid(good)
    assert not check(bad) and not AmazonValidator(node).is_valid(bad)
