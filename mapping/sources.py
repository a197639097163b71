"""Where a profile rule finds its value in the store product: field, option, metafield, text...

`resolver_for(rule)` reads a rule once and answers with a function of (product, variant, texts);
the mapper keeps those per rule set, so a catalogue's thousands of variants do not re-read the
rule's keys, names and paths for every attribute. `resolve_source` is the one-off form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mapping.texts import Texts

Resolver = Callable[[dict, dict, Texts], Any]

_TOKEN = re.compile(r"\{([^{}]+)\}")
EMPTY = (None, "", [])  # compared with ==: 0 and False are values, [] and "" are not
TEXT_PARTS = {"title": "title", "description": "description", "bullets": "bullets"}


def _names(key: Any) -> list[str]:
    return [str(k) for k in key] if isinstance(key, list) else [str(key)] if key else []


def _dig(data: dict, parts: tuple[str, ...]) -> Any:
    value: Any = data
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _field(key: Any) -> Resolver:
    paths = [tuple(name.split(".")) for name in _names(key)]

    def field(product: dict, variant: dict, _texts: Texts) -> Any:
        for parts in paths:
            for owner in (variant, product):
                found = _dig(owner, parts)
                if found not in EMPTY:
                    return found
        return None

    return field


def _option(key: Any) -> Resolver:
    wanted = [name.lower() for name in _names(key)]

    def option(_product: dict, variant: dict, _texts: Texts) -> Any:
        options = variant.get("options") or {}
        if not options:
            return None
        lowered = {str(k).lower(): v for k, v in options.items()}
        for name in wanted:
            if name in lowered:
                return lowered[name]
        return None

    return option


def _metafield(key: Any) -> Resolver:
    names = _names(key)

    def metafield(product: dict, variant: dict, _texts: Texts) -> Any:
        for name in names:
            for owner in (variant, product):
                found = (owner.get("metafields") or {}).get(name)
                if found not in (None, ""):
                    return found
        return None

    return metafield


def _template(template: str) -> Resolver:
    def fill_in(product: dict, variant: dict, texts: Texts) -> str | None:
        def fill(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("option."):
                found = _option(name[7:])(product, variant, texts)
            elif name.startswith("metafield."):
                found = _metafield(name[10:])(product, variant, texts)
            elif name in ("title", "description"):
                found = getattr(texts, name)
            else:
                found = _field(name)(product, variant, texts)
            return "" if found is None else str(found)

        text = _TOKEN.sub(fill, template)
        return re.sub(r"\s{2,}", " ", text).strip() or None

    return fill_in


def _image(index: int) -> Resolver:
    def image(product: dict, variant: dict, _texts: Texts) -> Any:
        images = [variant.get("image")] if variant.get("image") else []
        images += [i for i in product.get("images") or [] if i not in images]
        return images[index] if 0 <= index < len(images) else None

    return image


def _text(key: Any) -> Resolver:
    part = TEXT_PARTS.get(str(key))
    if part is None:
        return lambda _p, _v, _t: None
    return lambda _p, _v, texts: getattr(texts, part)


def _base(rule: dict) -> Resolver:
    source, key = rule.get("source"), rule.get("key")
    if source == "constant":
        value = rule.get("value")
        return lambda _p, _v, _t: value
    if source in ("field", "convert", "identifier"):
        return _field(key)
    if source == "option":
        return _option(key)
    if source == "metafield":
        return _metafield(key)
    if source == "text":
        return _text(key)
    if source == "template":
        return _template(rule.get("template") or "")
    if source == "image":
        return _image(int(rule.get("index") or 0))
    return lambda _p, _v, _t: None


def resolver_for(rule: dict) -> Resolver:
    """The rule as a function of (product, variant, texts) giving the raw store value or None."""
    base = _base(rule)
    fallback = resolver_for(rule["fallback"]) if isinstance(rule.get("fallback"), dict) else None
    mapping = rule.get("map")
    if fallback is None and not mapping:
        return base

    def resolve(product: dict, variant: dict, texts: Texts) -> Any:
        value = base(product, variant, texts)
        if fallback is not None and value in EMPTY:
            return fallback(product, variant, texts)
        if mapping and isinstance(value, str | int | float | bool):
            value = mapping.get(str(value), value)
        elif mapping and isinstance(value, list):
            value = [
                mapping.get(str(v), v) if isinstance(v, str | int | float) else v for v in value
            ]
        return value

    return resolve


def resolve_source(rule: dict, product: dict, variant: dict, texts: Texts) -> Any:
    """The raw store value a rule points at, or None when the product has none."""
    return resolver_for(rule)(product, variant, texts)
