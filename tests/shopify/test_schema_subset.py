"""The emulator's Admin schema (sandbox/shopify/admin_schema.graphql) is a faithful part of
Shopify's: every document Crossport sends validates against it, and, when the official schema is
present, each of its types, fields, arguments and values exists there with the same type."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    is_required_argument,
    is_required_input_field,
    parse,
    validate,
)
from graphql.pyutils import Undefined

from integrations.shopify import queries
from sandbox.shopify import schema_subset
from sandbox.shopify.schema import SUBSET_FILE, load_schema


def test_every_crossport_document_validates_against_the_emulator_schema():
    # runs on a lone clone too: a document the emulator's schema lacks would fail in the demo
    problems = {
        name: [e.message for e in validate(load_schema(), parse(doc.source))]
        for name, doc in queries.all_documents().items()
    }
    assert {name: errors for name, errors in problems.items() if errors} == {}


def test_the_subset_agrees_with_the_official_schema(official_schema):
    problems = []
    for name, ours in load_schema().type_map.items():
        if name.startswith("__"):
            continue
        theirs = official_schema.get_type(name)
        if theirs is None or type(theirs) is not type(ours):
            problems.append(f"{name}: not a {type(ours).__name__} in Shopify's schema")
            continue
        problems += _compare(name, ours, theirs)
    assert problems == []


def test_the_subset_is_what_the_documents_reach(official_schema):
    # regenerated from the official schema and today's documents, the file is unchanged: nothing
    # stale, nothing missing (after a document change: python -m sandbox.shopify.schema_subset)
    usage = schema_subset.collect(official_schema, schema_subset.crossport_documents())
    expected = schema_subset.render(official_schema, usage)
    assert SUBSET_FILE.read_text(encoding="utf-8") == expected


def _compare(name, ours, theirs) -> list[str]:
    if isinstance(ours, GraphQLEnumType):
        return [f"{name}.{v}: no such value" for v in ours.values if v not in theirs.values]
    if isinstance(ours, GraphQLUnionType):
        known = {t.name for t in theirs.types}
        return [f"{name}: {t.name} is no member" for t in ours.types if t.name not in known]
    if isinstance(ours, GraphQLInputObjectType):
        return _compare_inputs(name, ours.fields, theirs.fields, is_required_input_field)
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        problems = []
        implemented = {i.name for i in theirs.interfaces}
        problems += [f"{name}: does not implement {i.name}"
                     for i in ours.interfaces if i.name not in implemented]  # fmt: skip
        for field_name, field in ours.fields.items():
            official = theirs.fields.get(field_name)
            where = f"{name}.{field_name}"
            if official is None:
                problems.append(f"{where}: no such field")
            elif str(field.type) != str(official.type):
                problems.append(f"{where}: {field.type}, Shopify's is {official.type}")
            elif field.deprecation_reason != official.deprecation_reason:
                # the emulator's X-Shopify-API-Deprecated-Reason relies on Shopify's marks
                problems.append(f"{where}: deprecated {field.deprecation_reason!r}, "
                                f"Shopify's {official.deprecation_reason!r}")  # fmt: skip
            else:
                problems += _compare_inputs(where, field.args, official.args, is_required_argument)
        return problems
    return []  # a scalar: its name is all there is


def _compare_inputs(where, ours: dict, theirs: dict, required) -> list[str]:
    """Arguments or input fields: same names, types and defaults; none required left out."""
    problems = []
    for name, value in ours.items():
        official = theirs.get(name)
        if official is None:
            problems.append(f"{where}({name}): no such argument or input field")
        elif str(value.type) != str(official.type):
            problems.append(f"{where}({name}): {value.type}, Shopify's is {official.type}")
        elif value.deprecation_reason != official.deprecation_reason:
            problems.append(f"{where}({name}): deprecated {value.deprecation_reason!r}, "
                            f"Shopify's {official.deprecation_reason!r}")  # fmt: skip
        elif _default(value) != _default(official):
            problems.append(f"{where}({name}): default {value.default_value!r}, "
                            f"Shopify's is {official.default_value!r}")  # fmt: skip
    left_out = [n for n, official in theirs.items() if required(official) and n not in ours]
    problems += [f"{where}({name}): required by Shopify, missing here" for name in left_out]
    return problems


def _default(value):
    return None if value.default_value is Undefined else repr(value.default_value)
