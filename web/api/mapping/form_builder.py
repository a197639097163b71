"""A mapping form from a product-type schema: property groups, required first, conditionals.

Pure functions over a SchemaCache row's `envelope` (propertyGroups) and `schema` (JSON Schema
2019-09 with Amazon's keywords): the page renders whatever this returns.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft201909Validator

from mapping.profiles import DEFAULT_RULES, SOURCES


def _names_in(node: Any, found: set[str]) -> set[str]:
    """Every attribute a condition looks at (`required` lists and `properties` keys)."""
    if isinstance(node, dict):
        found.update(n for n in node.get("required", []) if isinstance(n, str))
        found.update(node.get("properties", {}).keys())
        for key in ("allOf", "anyOf", "oneOf"):
            for child in node.get(key, []):
                _names_in(child, found)
        if "not" in node:
            _names_in(node["not"], found)
    return found


def conditional_rules(schema: dict) -> list[dict]:
    """[{"if": subschema, "requires": [names], "looks_at": [names]}] from allOf if/then."""
    rules = []
    for entry in schema.get("allOf", []):
        then = entry.get("then") or {}
        required = [n for n in then.get("required", []) if isinstance(n, str)]
        if "if" in entry and required:
            rules.append(
                {
                    "if": entry["if"],
                    "requires": required,
                    "looks_at": sorted(_names_in(entry["if"], set())),
                }
            )
    return rules


def _value_schema(prop: dict) -> dict:
    items = prop.get("items") or {}
    return (items.get("properties") or {}).get("value") or {}


def field_view(name: str, prop: dict, required: set[str], conditional: dict[str, list]) -> dict:
    value = _value_schema(prop)
    enum = value.get("enum") or []
    enum_names = value.get("enumNames") or enum
    return {
        "name": name,
        "title": prop.get("title") or name.replace("_", " ").capitalize(),
        "description": prop.get("description") or "",
        "required": name in required,
        "conditional": name in conditional and name not in required,
        "required_when": conditional.get(name, []),
        "type": value.get("type") or prop.get("type") or "string",
        "choices": [{"value": v, "label": str(n)} for v, n in zip(enum, enum_names, strict=False)],
        "max_length": value.get("maxLength"),
        "examples": [str(e) for e in (prop.get("examples") or [])][:3],
        "hidden": bool(value.get("hidden", False)),
        "default_rule": DEFAULT_RULES.get(name),
    }


def build_form(envelope: dict, schema: dict) -> dict:
    """Groups of fields, each group's required fields first, then conditional, then optional."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    conditional: dict[str, list] = {}
    for rule in conditional_rules(schema):
        for name in rule["requires"]:
            conditional.setdefault(name, [])
            conditional[name] = sorted(set(conditional[name]) | set(rule["looks_at"]))
    groups, placed = [], set()
    declared = envelope.get("propertyGroups") or {
        "all": {"title": "Attributes", "propertyNames": sorted(properties)}
    }
    for key, group in declared.items():
        names = [n for n in group.get("propertyNames", []) if n in properties and n not in placed]
        placed.update(names)
        fields = [field_view(n, properties[n], required, conditional) for n in names]
        fields.sort(key=lambda f: (not f["required"], not f["conditional"]))
        if fields:
            groups.append(
                {
                    "key": key,
                    "title": group.get("title") or key,
                    "description": group.get("description") or "",
                    "fields": fields,
                }
            )
    groups.sort(key=lambda g: not any(f["required"] for f in g["fields"]))
    return {
        "product_type": envelope.get("productType"),
        "display_name": envelope.get("displayName") or envelope.get("productType"),
        "groups": groups,
        "sources": list(SOURCES),
    }


def _placeholder(prop: dict, source: dict, marketplace_id: str, language_tag: str) -> list:
    value_schema = _value_schema(prop)
    value: Any = source.get("value") if source.get("source") == "constant" else None
    if isinstance(value, str) and value_schema.get("type") == "boolean":
        value = value.strip().lower() in ("true", "yes", "1")
    if value in (None, ""):
        enum = value_schema.get("enum")
        kind = value_schema.get("type")
        value = enum[0] if enum else {"boolean": True, "integer": 1, "number": 1}.get(kind, "x")
    return [{"value": value, "marketplace_id": marketplace_id, "language_tag": language_tag}]


def requirements_now(
    schema: dict, attributes: dict, marketplace_id: str, language_tag: str
) -> list[str]:
    """Attributes a conditional rule requires given which attributes the mapping fills."""
    properties = schema.get("properties") or {}
    instance = {
        name: _placeholder(properties[name], source or {}, marketplace_id, language_tag)
        for name, source in attributes.items()
        if name in properties and source
    }
    defs = schema.get("$defs") or {}
    applying: set[str] = set()
    for rule in conditional_rules(schema):
        check = Draft201909Validator({**rule["if"], "$defs": defs})
        if check.is_valid(instance):
            applying.update(rule["requires"])
    return sorted(applying - set(schema.get("required") or []))
