"""The real product-type schemas in ../shared/specs, discovered by globbing, compiled once."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from mapping.examples import example_payload
from mapping.schema_validation import ProductTypeSchema
from sandbox.server import specs_dir
from tests.support.specs import missing


def definitions_dir() -> Path:
    return specs_dir() / "sp-api" / "schemas" / "definitions"


@cache
def _schema_files() -> tuple[Path, ...]:
    root = definitions_dir()
    if not root.is_dir():
        return ()
    found = [p for p in root.rglob("*.json") if "meta-schema" not in p.name]
    return tuple(sorted(p for p in found if _is_product_type_schema(p)))


def schema_files() -> list[Path]:
    """Every product-type schema (a JSON Schema whose $schema is Amazon's meta-schema)."""
    return list(_schema_files())


def _is_product_type_schema(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(600).decode("utf-8", "replace")
    return '"$schema"' in head and "product-types/meta-schema" in head


def schema_ids() -> list[str]:
    return [p.name for p in schema_files()]


def needs_specs(*names: str) -> None:
    """Skip (fail under CI) unless the schemas are there, these named ones included."""
    if not schema_files():
        missing(f"no product-type schema under {definitions_dir()}")
    absent = [name for name in names if name not in schema_ids()]
    if absent:
        missing(f"{', '.join(absent)} not under {definitions_dir()}")


@cache
def compiled(name: str) -> ProductTypeSchema:
    path = next(p for p in schema_files() if p.name == name)
    return ProductTypeSchema.from_schema(json.loads(path.read_text()))


@cache
def _complete(name: str) -> str:
    schema = compiled(name)
    return json.dumps(
        example_payload(schema.schema, validator=schema.validator, is_valid=schema.check)
    )


def complete_payload(name: str) -> dict:
    """A fresh copy of a valid payload for this schema (safe to mutate)."""
    return json.loads(_complete(name))
