"""The emulator's Admin GraphQL schema (2026-07), built once per process; document validation as
Shopify's.

The schema is admin_schema.graphql beside this module: the part of Shopify's schema Crossport
uses, kept in this repository so the emulator and the demo need nothing outside it. The official
schema (../shared/specs) only serves to write and check that file (schema_subset.py,
tests/shopify/test_schema_subset.py).
"""

from __future__ import annotations

import functools
from pathlib import Path

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_schema, parse, validate

from sandbox.shopify.validation_errors import shopify_errors

SUBSET_FILE = Path(__file__).resolve().parent / "admin_schema.graphql"
OFFICIAL_SCHEMA_FILE = ("shopify", "admin-graphql-2026-07.schema.graphql")  # under specs_dir()


@functools.cache
def load_schema() -> GraphQLSchema:
    """The emulator's schema; built (and checked as a valid schema) the first time it is asked."""
    return build_schema(SUBSET_FILE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=512)
def parse_document(source: str) -> DocumentNode:
    """Parse a document once; the same few documents arrive over and over."""
    return parse(source)


@functools.lru_cache(maxsize=512)
def _validate_cached(source: str) -> tuple[dict, ...]:
    document = parse_document(source)
    if not validate(load_schema(), document):
        return ()
    return tuple(shopify_errors(load_schema(), document))  # rule by rule, to name each error


def document_errors(source: str) -> list[dict]:
    """Shopify-shaped errors for a document that does not parse or validate; [] when fine."""
    try:
        parse_document(source)
    except GraphQLError as exc:
        return [_shape(exc, "parseError")]
    return [dict(error) for error in _validate_cached(source)]


def _shape(error: GraphQLError, code: str) -> dict:
    shaped: dict = {"message": error.message}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    shaped["extensions"] = {"code": code}
    return shaped
