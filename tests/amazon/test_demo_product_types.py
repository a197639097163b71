"""The demo product types the SP-API emulator serves (SHIRT, KITCHEN, CANDLE, written in
sandbox/amazon/schemas/ so the demo needs nothing outside the repository) agree with Amazon's
real product-type schemas for every attribute they share: same JSON types, selectors, sub-fields
and, where Amazon closes the list, allowed values. Checked when the official schemas are present
(Product.json and product-types/*.schema.json under sp-api/schemas/definitions)."""

from __future__ import annotations

import json

import pytest

from sandbox.amazon import demo_schemas
from sandbox.amazon.marketplaces import BY_COUNTRY
from tests.support.specs import specs_path

# Attributes of the demo types that none of the official schemas at hand carries (they belong to
# product types not captured there); nothing to compare them with.
NOT_IN_THE_OFFICIAL_FILES = {"is_dishwasher_safe", "burn_time"}


@pytest.fixture(scope="module")
def official() -> list[dict]:
    root = specs_path("sp-api", "schemas", "definitions")
    files = [root / "Product.json", *sorted((root / "product-types").glob("*.schema.json"))]
    return [json.loads(path.read_text(encoding="utf-8")) for path in files if path.is_file()]


@pytest.mark.parametrize("product_type", sorted(demo_schemas.product_types()))
@pytest.mark.parametrize("country", ["US", "DE", "JP"])
def test_demo_attributes_agree_with_amazons(official, product_type, country):
    ours = demo_schemas.build(product_type, BY_COUNTRY[country])
    problems, unknown = [], set()
    for name, attribute in ours["properties"].items():
        theirs = [s["properties"][name] for s in official if name in s.get("properties", {})]
        if theirs:
            problems += _compare(name, attribute, theirs)
        else:
            unknown.add(name)
    assert problems == []
    assert unknown <= NOT_IN_THE_OFFICIAL_FILES


def _compare(path: str, ours: dict, theirs: list[dict]) -> list[str]:
    """Problems of `ours` against the same node in each official schema that has it."""
    if "$ref" in ours:  # marketplace_id, language_tag: the $defs every schema carries
        return []
    problems = []
    our_types, their_types = _types(ours), set().union(*map(_types, theirs))
    if our_types and their_types and not our_types <= their_types:
        problems.append(f"{path}: type {sorted(our_types)}, Amazon's {sorted(their_types)}")
    closed = [_closed_values(t) for t in theirs]
    if all(values is not None for values in closed) and "enum" in ours:
        allowed = set().union(*closed)
        problems += [f"{path}: {v!r} is not one of Amazon's values"
                     for v in ours["enum"] if v not in allowed]  # fmt: skip
    if "selectors" in ours or any("selectors" in t for t in theirs):
        if ours.get("selectors") not in [t.get("selectors") for t in theirs]:
            problems.append(f"{path}: selectors {ours.get('selectors')}, Amazon's "
                            f"{theirs[0].get('selectors')}")  # fmt: skip
    if "items" in ours:
        items = [t["items"] for t in theirs if "items" in t]
        problems += _compare(f"{path}[]", ours["items"], items)
    for name, sub in ours.get("properties", {}).items():
        found = [t["properties"][name] for t in theirs if name in t.get("properties", {})]
        if not found:
            problems.append(f"{path}.{name}: Amazon's attribute has no such field")
        else:
            problems += _compare(f"{path}.{name}", sub, found)
    return problems


def _types(node: dict) -> set[str]:
    declared = node.get("type")
    found = set(declared if isinstance(declared, list) else [declared] if declared else [])
    for alternative in node.get("anyOf", []) + node.get("oneOf", []):
        found |= _types(alternative)
    return found


def _closed_values(node: dict) -> set | None:
    """The values Amazon allows, or None when any value of the type is allowed (no enum, or an
    anyOf whose other branch takes any string: a list of suggestions, not a closed one)."""
    if "enum" in node:
        return set(node["enum"])
    branches = node.get("anyOf", [])
    if branches and all("enum" in b for b in branches):
        return set().union(*(set(b["enum"]) for b in branches))
    return None
