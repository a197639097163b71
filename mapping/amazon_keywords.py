"""Amazon's product-type vocabulary as jsonschema keywords, and the validator class that knows it.

Product-type schemas are JSON Schema 2019-09 plus Amazon keywords (meta-schema v1). The byte
lengths and the per-selector uniqueness counts are assertions; `editable`, `hidden`, `enumNames`,
`selectors` (read by the uniqueness keywords) and `$lifecycle` are annotations.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonschema import Draft201909Validator, ValidationError, validators

AMAZON_META_SCHEMA_ID = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)


def utf8_length(value: str) -> int:
    """How many bytes Amazon counts for a string (it limits UTF-8 bytes, not characters)."""
    return len(value.encode("utf-8"))


def max_utf8_byte_length(validator, limit: int, instance: Any, schema: dict) -> Iterator:
    if isinstance(instance, str) and utf8_length(instance) > limit:
        yield ValidationError(
            f"{instance!r} is {utf8_length(instance)} bytes in UTF-8, more than {limit}"
        )


def min_utf8_byte_length(validator, limit: int, instance: Any, schema: dict) -> Iterator:
    if isinstance(instance, str) and utf8_length(instance) < limit:
        yield ValidationError(
            f"{instance!r} is {utf8_length(instance)} bytes in UTF-8, fewer than {limit}"
        )


def selector_key(item: Any, selectors: list[str] | tuple[str, ...]) -> str:
    """The combination of selector values that makes an array item unique (hashable)."""
    if not isinstance(item, dict):
        return json.dumps(item, sort_keys=True, default=str)
    return json.dumps([item.get(name) for name in selectors], sort_keys=True, default=str)


def selector_counts(instance: list, selectors: list[str]) -> Counter:
    return Counter(selector_key(item, selectors) for item in instance)


def max_unique_items(validator, limit: int, instance: Any, schema: dict) -> Iterator:
    if not isinstance(instance, list) or not instance:
        return
    counts = selector_counts(instance, schema.get("selectors") or [])
    worst = max(counts.values())
    if worst > limit:
        yield ValidationError(
            f"{worst} values share the same {schema.get('selectors') or 'value'}; "
            f"at most {limit} allowed"
        )


def min_unique_items(validator, limit: int, instance: Any, schema: dict) -> Iterator:
    if not isinstance(instance, list) or not instance:
        return
    counts = selector_counts(instance, schema.get("selectors") or [])
    fewest = min(counts.values())
    if fewest < limit:
        yield ValidationError(
            f"only {fewest} values share the same {schema.get('selectors')}; "
            f"at least {limit} needed"
        )


def is_multiple(value: int | float, step: int | float) -> bool:
    """Decimal arithmetic, as JSON numbers are decimal: 40.52 is a multiple of 0.01.

    jsonschema divides binary floats (40.52 / 0.01 = 4051.999...) and rejects prices that
    Amazon accepts; a validator that cries wolf on prices is worse than none.
    """
    try:
        return Decimal(repr(value)) % Decimal(repr(step)) == 0
    except (InvalidOperation, ValueError):
        return False


def multiple_of(validator, step: int | float, instance: Any, schema: dict) -> Iterator:
    if validator.is_type(instance, "number") and not is_multiple(instance, step):
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


AMAZON_KEYWORDS = {
    "multipleOf": multiple_of,
    "maxUtf8ByteLength": max_utf8_byte_length,
    "minUtf8ByteLength": min_utf8_byte_length,
    "maxUniqueItems": max_unique_items,
    "minUniqueItems": min_unique_items,
}

# Draft 2019-09 as jsonschema implements it (multipleOf in decimal), plus the Amazon assertions;
# format stays an annotation.
AmazonValidator = validators.extend(Draft201909Validator, AMAZON_KEYWORDS)
