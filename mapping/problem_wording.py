"""How a wrong value reads to a seller: code, message and fix for each kind of schema error."""

from __future__ import annotations

from jsonschema import ValidationError


def attribute_label(schema: dict, attribute: str) -> str:
    """The schema's title beside the attribute name Amazon uses: "Brand Name (brand)"."""
    title = (schema.get("properties", {}).get(attribute) or {}).get("title")
    return f"{title} ({attribute})" if title and title != attribute else attribute


def value_wording(
    error: ValidationError, schema: dict, site: str, attribute: str
) -> tuple[str, str, str]:
    """(code, message, fix) for an error about a value (not a missing attribute)."""
    label = attribute_label(schema, attribute) if attribute else "the listing"
    value = error.instance
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    v, limit = error.validator, error.validator_value
    if v in ("enum", "const"):
        allowed = limit if v == "enum" else [limit]
        names = error.schema.get("enumNames") or allowed
        listed = ", ".join(str(a) for a in allowed[:8]) + (" ..." if len(allowed) > 8 else "")
        return (
            "invalid_value",
            f"{site} does not accept {shown} for {label}.",
            f"Choose one of: {listed}"
            + (f" ({', '.join(map(str, names[:8]))})" if names is not allowed else ""),
        )
    if v in ("maxUtf8ByteLength", "maxLength"):
        unit = "bytes in UTF-8" if v == "maxUtf8ByteLength" else "characters"
        size = len(value.encode()) if v == "maxUtf8ByteLength" else len(value)
        return (
            "too_long",
            f"{label} is {size} {unit} on {site}; at most {limit} are allowed.",
            f"Shorten {attribute} to {limit} {unit} (CJK characters count 3 bytes).",
        )
    if v in ("minUtf8ByteLength", "minLength"):
        return (
            "too_short",
            f"{label} is too short for {site} (at least {limit}).",
            f"Lengthen {attribute}.",
        )
    if v in ("maxUniqueItems", "maxItems"):
        return (
            "too_many_values",
            f"{site} accepts at most {limit} value(s) for {label} "
            f"per {', '.join(error.schema.get('selectors') or ['attribute'])}.",
            f"Keep one value for {attribute} per marketplace and language.",
        )
    if v in ("minUniqueItems", "minItems"):
        return (
            "too_few_values",
            f"{site} needs at least {limit} value(s) for {label}.",
            f"Add values to {attribute}.",
        )
    if v == "type":
        return (
            "wrong_type",
            f"{label} must be {limit} on {site}, not {shown}.",
            f"Map a {limit} value to {attribute}.",
        )
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return (
            "out_of_range",
            f"{shown} is out of range for {label} on {site} ({v} {limit}).",
            f"Use a value that meets {v} {limit}.",
        )
    if v == "additionalProperties":
        return (
            "unknown_attribute",
            f"{site} does not know {error.message.split('(')[-1].rstrip(')')}.",
            "Remove it or map it to an attribute of this product type.",
        )
    return (
        "invalid",
        f"{label} is not accepted by {site}: {error.message[:200]}",
        f"Correct {attribute or 'the listing'}.",
    )
