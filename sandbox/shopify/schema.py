"""The 2026-07 Admin GraphQL schema, built once per process; document validation as Shopify's."""

from __future__ import annotations

import functools
import threading

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_schema, parse, validate

from sandbox.server import specs_dir

SCHEMA_FILE = ("shopify", "admin-graphql-2026-07.schema.graphql")
# The minimal schema used when ../shared/specs is absent: validation is then skipped, but the
# emulator still serves the root fields Crossport uses (execution needs some schema).
_lock = threading.Lock()
_schema: GraphQLSchema | None = None


def load_schema() -> GraphQLSchema | None:
    """The full Admin schema (built once, ~2-4 s), or None when the specs folder is absent."""
    global _schema
    with _lock:
        if _schema is None:
            path = specs_dir().joinpath(*SCHEMA_FILE)
            if not path.exists():
                return None
            _schema = build_schema(path.read_text(encoding="utf-8"), assume_valid=True)
        return _schema


@functools.lru_cache(maxsize=512)
def parse_document(source: str) -> DocumentNode:
    """Parse a document once; the same few documents arrive over and over."""
    return parse(source)


@functools.lru_cache(maxsize=512)
def _validate_cached(source: str) -> tuple[GraphQLError, ...]:
    schema = load_schema()
    if schema is None:
        return ()
    return tuple(validate(schema, parse_document(source)))


def document_errors(source: str) -> list[dict]:
    """Shopify-shaped errors for a document that does not parse or validate; [] when fine."""
    try:
        parse_document(source)
    except GraphQLError as exc:
        return [_shape(exc, "parseError")]
    return [_shape(err, "validationError") for err in _validate_cached(source)]


def _shape(error: GraphQLError, code: str) -> dict:
    shaped: dict = {"message": error.message}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    shaped["extensions"] = {"code": code}
    return shaped
