"""A JSON Schema 2019-09 validator that also enforces Amazon's own product-type keywords.

Amazon adds `maxUtf8ByteLength`, `minUtf8ByteLength`, `minUniqueItems`, `maxUniqueItems` (items
are unique by their `selectors`) to JSON Schema; the emulator checks them as Amazon does.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from jsonschema import Draft201909Validator, ValidationError, validators


def _max_bytes(validator, limit, instance, schema):
    if isinstance(instance, str) and len(instance.encode("utf-8")) > limit:
        yield ValidationError(f"{instance!r} is longer than {limit} UTF-8 bytes")


def _min_bytes(validator, limit, instance, schema):
    if isinstance(instance, str) and len(instance.encode("utf-8")) < limit:
        yield ValidationError(f"{instance!r} is shorter than {limit} UTF-8 bytes")


def _multiple_of(validator, step, instance, schema):
    # Decimal arithmetic: in floats 19.9 is not a multiple of 0.01, and prices would fail
    if not validator.is_type(instance, "number") or isinstance(instance, bool):
        return
    if Decimal(str(instance)) % Decimal(str(step)) != 0:
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


def _items_per_selection(instance, schema) -> list[int]:
    """How many items share each combination of selector values (the meta-schema: "the maximum
    number of items with the same combination of selector properties"). An offer for audience
    ALL and one for B2B are two combinations of one item each, not two items against a limit."""
    selectors = schema.get("selectors") or []
    keys = Counter(
        json.dumps({s: item.get(s) for s in selectors} if selectors else item, sort_keys=True)
        for item in instance
        if isinstance(item, dict)
    )
    return list(keys.values())


def _max_unique(validator, limit, instance, schema):
    counts = _items_per_selection(instance, schema) if isinstance(instance, list) else []
    if max(counts, default=0) > limit:
        yield ValidationError(f"has more than {limit} values for the same selectors")


def _min_unique(validator, limit, instance, schema):
    counts = _items_per_selection(instance, schema) if isinstance(instance, list) else []
    if counts and min(counts) < limit:
        yield ValidationError(f"has fewer than {limit} values for the same selectors")


AmazonValidator = validators.extend(
    Draft201909Validator,
    {
        "maxUtf8ByteLength": _max_bytes,
        "minUtf8ByteLength": _min_bytes,
        "maxUniqueItems": _max_unique,
        "minUniqueItems": _min_unique,
        "multipleOf": _multiple_of,
    },
)
