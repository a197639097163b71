"""How a wrong value reads to a seller: code, message and fix for each kind of schema error.

Messages are templates with parameters (see mapping.messages), so the page can show them in
the reader's language; their English is what the templates say.
"""

from __future__ import annotations

from jsonschema import ValidationError

from mapping.messages import N_, Message, say

LENGTH_UNITS = {
    # (message, fix) per keyword family: bytes for Amazon's UTF-8 limits, characters otherwise
    "bytes": (
        N_("%(label)s is %(size)s bytes in UTF-8 on %(site)s; at most %(limit)s are allowed."),
        N_("Shorten %(attribute)s to %(limit)s bytes in UTF-8 (CJK characters count 3 bytes)."),
    ),
    "characters": (
        N_("%(label)s is %(size)s characters on %(site)s; at most %(limit)s are allowed."),
        N_("Shorten %(attribute)s to %(limit)s characters (CJK characters count 3 bytes)."),
    ),
}


def attribute_label(schema: dict, attribute: str) -> Message | str:
    """The schema's title beside the attribute name Amazon uses: "Brand Name (brand)"."""
    title = (schema.get("properties", {}).get(attribute) or {}).get("title")
    if title and title != attribute:
        return say(N_("%(title)s (%(attribute)s)"), title=title, attribute=attribute)
    return attribute


def value_wording(
    error: ValidationError, schema: dict, site: str, attribute: str
) -> tuple[str, Message, Message]:
    """(code, message, fix) for an error about a value (not a missing attribute)."""
    label = attribute_label(schema, attribute) if attribute else say(N_("the listing"))
    value = error.instance
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    v, limit = error.validator, error.validator_value
    common = {"site": site, "label": label, "attribute": attribute, "limit": limit}
    if v in ("enum", "const"):
        allowed = limit if v == "enum" else [limit]
        names = error.schema.get("enumNames") or allowed
        listed = ", ".join(str(a) for a in allowed[:8]) + (" ..." if len(allowed) > 8 else "")
        fix = (
            say(
                N_("Choose one of: %(allowed)s (%(names)s)"),
                allowed=listed,
                names=", ".join(map(str, names[:8])),
            )
            if names is not allowed
            else say(N_("Choose one of: %(allowed)s"), allowed=listed)
        )
        return (
            "invalid_value",
            say(N_("%(site)s does not accept %(value)s for %(label)s."), value=shown, **common),
            fix,
        )
    if v in ("maxUtf8ByteLength", "maxLength"):
        in_bytes = v == "maxUtf8ByteLength"
        message, fix = LENGTH_UNITS["bytes" if in_bytes else "characters"]
        size = len(value.encode()) if in_bytes else len(value)
        return "too_long", say(message, size=size, **common), say(fix, **common)
    if v in ("minUtf8ByteLength", "minLength"):
        return (
            "too_short",
            say(N_("%(label)s is too short for %(site)s (at least %(limit)s)."), **common),
            say(N_("Lengthen %(attribute)s."), **common),
        )
    if v in ("maxUniqueItems", "maxItems"):
        selectors = error.schema.get("selectors")
        message = (
            say(
                N_("%(site)s accepts at most %(limit)s value(s) for %(label)s per %(selectors)s."),
                selectors=", ".join(selectors),
                **common,
            )
            if selectors
            else say(
                N_("%(site)s accepts at most %(limit)s value(s) for %(label)s per attribute."),
                **common,
            )
        )
        return (
            "too_many_values",
            message,
            say(N_("Keep one value for %(attribute)s per marketplace and language."), **common),
        )
    if v in ("minUniqueItems", "minItems"):
        return (
            "too_few_values",
            say(N_("%(site)s needs at least %(limit)s value(s) for %(label)s."), **common),
            say(N_("Add values to %(attribute)s."), **common),
        )
    if v == "type":
        return (
            "wrong_type",
            say(
                N_("%(label)s must be %(limit)s on %(site)s, not %(value)s."), value=shown, **common
            ),
            say(N_("Map a %(limit)s value to %(attribute)s."), **common),
        )
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return (
            "out_of_range",
            say(
                N_("%(value)s is out of range for %(label)s on %(site)s (%(keyword)s %(limit)s)."),
                value=shown,
                keyword=v,
                **common,
            ),
            say(N_("Use a value that meets %(keyword)s %(limit)s."), keyword=v, **common),
        )
    if v == "additionalProperties":
        return (
            "unknown_attribute",
            say(
                N_("%(site)s does not know %(names)s."),
                names=error.message.split("(")[-1].rstrip(")"),
                **common,
            ),
            say(N_("Remove it or map it to an attribute of this product type.")),
        )
    return (
        "invalid",
        say(
            N_("%(label)s is not accepted by %(site)s: %(reason)s"),
            reason=error.message[:200],
            **common,
        ),
        say(N_("Correct %(attribute)s."), **common)
        if attribute
        else say(N_("Correct the listing.")),
    )
