"""Variations: store options become an Amazon variation family, parent first.

Store options ("Size", "Color") map to the parts of a `variation_theme` the product type allows
(read from the schema's enum, deprecated themes last). A family is a parent SKU with
`parentage_level` "parent" and the theme, then one child per variant with `parentage_level`
"child" and `child_parent_sku_relationship`. A theme the product type does not allow is a
problem, never sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mapping.marketplaces import Marketplace
from mapping.messages import N_, say
from mapping.problems import Problem
from mapping.schema_validation import ProductTypeSchema

# Store option names (lower case, several languages) -> theme parts, preferred first.
OPTION_PARTS: dict[str, tuple[str, ...]] = {}
for _names, _parts in (
    (
        ("color", "colour", "farbe", "couleur", "colore", "色", "カラー", "颜色"),
        ("COLOR", "COLOR_NAME"),
    ),
    (
        ("size", "größe", "groesse", "taille", "taglia", "talla", "サイズ", "尺码", "尺寸"),
        ("SIZE", "SIZE_NAME"),
    ),
    (("material", "stoff", "matière", "素材", "材质"), ("MATERIAL", "MATERIAL_TYPE")),
    (("style", "stil", "スタイル", "款式"), ("STYLE", "STYLE_NAME")),
    (("pattern", "muster", "motif"), ("PATTERN_NAME",)),
    (("scent", "duft", "parfum"), ("SCENT_NAME",)),
    (("flavor", "flavour", "geschmack"), ("FLAVOR", "FLAVOR_NAME")),
    (("pack", "quantity", "menge", "count"), ("ITEM_PACKAGE_QUANTITY", "NUMBER_OF_ITEMS")),
):
    for _name in _names:
        OPTION_PARTS[_name] = _parts


@dataclass
class VariationFamily:
    """A parent SKU with its theme and the variants that become its children."""

    parent_sku: str
    theme: str | None
    option_names: list[str]
    children: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def allowed_themes(schema: ProductTypeSchema) -> list[str]:
    """The product type's variation themes, current ones first, deprecated ones after."""
    node = (
        ((schema.properties.get("variation_theme") or {}).get("items") or {}).get("properties")
        or {}
    ).get("name") or {}
    themes = list(node.get("enum") or [])
    deprecated = set((node.get("$lifecycle") or {}).get("enumDeprecated") or [])
    return [t for t in themes if t not in deprecated] + [t for t in themes if t in deprecated]


def theme_for(option_names: list[str], allowed: list[str]) -> str | None:
    """The first allowed theme whose parts are exactly the store's options, or None."""
    wanted = [OPTION_PARTS.get(name.strip().lower(), (_token(name),)) for name in option_names]
    for theme in allowed:
        parts = theme.split("/")
        if len(parts) != len(wanted):
            continue
        unused = list(wanted)
        for part in parts:
            match = next((w for w in unused if part in w), None)
            if match is None:
                break
            unused.remove(match)
        else:
            return theme
    return None


def _token(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def parent_sku_for(product: dict) -> str:
    """A stable parent SKU: the seller's metafield, else derived from the product id (≤ 40)."""
    chosen = (product.get("metafields") or {}).get("amazon.parent_sku")
    if chosen:
        return str(chosen)[:40]
    raw = re.sub(r"[^A-Za-z0-9_-]+", "-", str(product.get("id") or "product")).strip("-")
    return f"PARENT-{raw[-33:]}"


def plan_family(
    product: dict, schema: ProductTypeSchema, market: Marketplace, theme: str | None = None
) -> VariationFamily | None:
    """The variation family of a product, or None when it is a single item without options."""
    variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
    option_names = [
        o["name"]
        for o in product.get("options") or []
        if isinstance(o, dict) and o.get("name") and len(o.get("values") or []) > 1
    ]
    if len(variants) <= 1 or not option_names:
        return None
    family = VariationFamily(parent_sku_for(product), None, option_names, children=variants)
    allowed = allowed_themes(schema)
    shown = " and ".join(option_names)
    if not allowed:
        family.problems.append(
            Problem(
                "variation_theme",
                market.id,
                "unsupported_theme",
                say(
                    N_(
                        "%(product_type)s has no variations on %(site)s; "
                        "the product has options (%(options)s)."
                    ),
                    product_type=schema.product_type,
                    site=market.site,
                    options=shown,
                ),
                say(
                    N_(
                        "List each variant as its own product, "
                        "or pick a product type that allows variations."
                    )
                ),
                path="variation_theme",
            )
        )
        return family
    chosen = theme or theme_for(option_names, allowed)
    if chosen is None or chosen not in allowed:
        family.problems.append(
            Problem(
                "variation_theme",
                market.id,
                "unsupported_theme",
                say(
                    N_("%(site)s does not allow %(product_type)s variations by %(theme)s."),
                    site=market.site,
                    product_type=schema.product_type,
                    theme=chosen or shown,
                ),
                say(
                    N_(
                        "Choose one of the themes Amazon allows (%(themes)s...) and map the "
                        "options to it, or list the variants separately."
                    ),
                    themes=", ".join(allowed[:6]),
                ),
                path="variation_theme",
            )
        )
        return family
    family.theme = chosen
    seen: dict[tuple, str] = {}
    for variant in variants:
        combo = tuple(sorted((variant.get("options") or {}).items()))
        if combo in seen:
            family.problems.append(
                Problem(
                    "variation_theme",
                    market.id,
                    "duplicate_variant",
                    say(
                        N_("SKUs %(first)s and %(second)s have the same options."),
                        first=seen[combo],
                        second=str(variant.get("sku")),
                    ),
                    say(N_("Give every variant a distinct combination of options.")),
                    path="variation_theme",
                )
            )
        seen.setdefault(combo, str(variant.get("sku")))
    return family


def _entry(schema: ProductTypeSchema, attribute: str, market: Marketplace, **values) -> list:
    props = ((schema.properties.get(attribute) or {}).get("items") or {}).get("properties") or {}
    if "marketplace_id" in props:
        values["marketplace_id"] = market.id
    return [values]


def parent_attributes(
    family: VariationFamily, schema: ProductTypeSchema, market: Marketplace
) -> dict:
    """Attributes that make a SKU the parent of the family."""
    return {
        "parentage_level": _entry(schema, "parentage_level", market, value="parent"),
        "variation_theme": _entry(schema, "variation_theme", market, name=family.theme),
    }


def child_attributes(
    family: VariationFamily, schema: ProductTypeSchema, market: Marketplace
) -> dict:
    """Attributes that attach one variant's SKU to the family's parent."""
    return {
        "parentage_level": _entry(schema, "parentage_level", market, value="child"),
        "child_parent_sku_relationship": _entry(
            schema,
            "child_parent_sku_relationship",
            market,
            child_relationship_type="variation",
            parent_sku=family.parent_sku,
        ),
        "variation_theme": _entry(schema, "variation_theme", market, name=family.theme),
    }
