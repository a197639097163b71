"""Mapping profiles: for each Amazon attribute, where its value comes from, per marketplace.

A profile is plain JSON (stored in the `MappingProfile` row, edited on the mapping page):

    {"product_type": "HOME",
     "attributes": {"color": {"source": "option", "key": ["Color", "Colour"]},
                    "item_type_keyword": {"source": "constant", "value": "vases"}},
     "overrides": {"A1PA6795UKMFR9": {"item_type_keyword": {"source": "constant",
                                                            "value": "vasen"}}},
     "settings": {"condition_type": "new_new", "fulfillment_channel_code": "DEFAULT"}}

Sources: field, option, metafield, constant, text (title/description/bullets in the marketplace
language), template ("{title} {option.Color}"), convert (weight/dimensions to a unit),
identifier (barcode to GTIN), image (index into the product images). Any rule may carry a "map"
from store values to Amazon values. `default_profile()` covers a typical home or apparel product,
so the seller only fills what the store cannot know (item type keyword, browse node...).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from marshmallow import EXCLUDE, Schema, fields, validate

from mapping.messages import N_, say
from mapping.problems import Problem

SOURCES = (
    "field",
    "option",
    "metafield",
    "constant",
    "text",
    "template",
    "convert",
    "identifier",
    "image",
)

DEFAULT_RULES: dict[str, dict] = {
    "item_name": {"source": "text", "key": "title"},
    "product_description": {"source": "text", "key": "description"},
    "bullet_point": {"source": "text", "key": "bullets"},
    "brand": {"source": "field", "key": "brand"},
    "manufacturer": {"source": "field", "key": "brand"},
    "externally_assigned_product_identifier": {"source": "identifier", "key": "barcode"},
    "model_number": {"source": "field", "key": "sku"},
    "part_number": {"source": "field", "key": "sku"},
    "model_name": {"source": "field", "key": "title"},
    "item_type_keyword": {"source": "field", "key": "category"},
    "generic_keyword": {"source": "field", "key": "tags"},
    "country_of_origin": {"source": "metafield", "key": "amazon.country_of_origin"},
    "color": {
        "source": "option",
        "key": ["Color", "Colour", "Farbe", "Couleur", "色", "颜色"],
        "fallback": {"source": "metafield", "key": "amazon.color"},
    },
    "size": {
        "source": "option",
        "key": ["Size", "Größe", "Taille", "サイズ", "尺码"],
        "fallback": {"source": "metafield", "key": "amazon.size"},
    },
    "material": {"source": "metafield", "key": "amazon.material"},
    "item_weight": {"source": "convert", "key": "weight"},
    "item_package_weight": {"source": "convert", "key": "weight"},
    "item_package_dimensions": {"source": "convert", "key": "dimensions"},
    "main_product_image_locator": {"source": "image", "index": 0},
    "number_of_items": {"source": "constant", "value": 1},
    "number_of_boxes": {"source": "constant", "value": 1},
    "condition_type": {"source": "constant", "value": "new_new"},
    "supplier_declared_dg_hz_regulation": {"source": "metafield", "key": "amazon.dg_hz_regulation"},
    "batteries_required": {"source": "metafield", "key": "amazon.batteries_required"},
}
for _n in range(1, 9):
    DEFAULT_RULES[f"other_product_image_locator_{_n}"] = {"source": "image", "index": _n}

DEFAULT_SETTINGS = {
    "condition_type": "new_new",
    "fulfillment_channel_code": "DEFAULT",  # seller-fulfilled; "AMAZON_EU" etc. for FBA
    "quantity_buffer": 0,  # units held back from Amazon
    "lead_time_days": None,
}


class RuleSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    key = fields.Raw(load_default=None)  # a name or a list of alternative names
    value = fields.Raw(load_default=None)
    template = fields.String(load_default=None)
    unit = fields.String(load_default=None)
    index = fields.Integer(load_default=0)
    map = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=None)
    fallback = fields.Dict(load_default=None)  # another rule, used when this one finds nothing


class ProfileSchema(Schema):
    """What the mapping page posts; loaded with unknown=EXCLUDE like every boundary."""

    class Meta:
        unknown = EXCLUDE

    product_type = fields.String(required=True, validate=validate.Length(min=1))
    attributes = fields.Dict(
        keys=fields.String(), values=fields.Nested(RuleSchema), load_default=dict
    )
    overrides = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Nested(RuleSchema)),
        load_default=dict,
    )
    settings = fields.Dict(
        keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict
    )
    texts = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    price_rules = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
    disabled = fields.List(fields.String(), load_default=list)  # attributes never sent


@dataclass
class MappingProfile:
    """One shop's mapping for one product type, with per-marketplace overrides."""

    product_type: str
    attributes: dict[str, dict] = field(default_factory=dict)
    overrides: dict[str, dict[str, dict]] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    texts: dict[str, dict] = field(default_factory=dict)  # seller texts per marketplace/lang
    price_rules: dict[str, dict] = field(default_factory=dict)  # per marketplace or "*"
    disabled: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, data: dict) -> MappingProfile:
        """Check a stored or posted profile; raises marshmallow.ValidationError when malformed."""
        loaded = ProfileSchema().load(data)
        return cls(**loaded)

    def to_dict(self) -> dict:
        return copy.deepcopy(self.__dict__)

    def rules_for(self, marketplace_id: str) -> dict[str, dict]:
        """Default rules, then the profile's, then this marketplace's overrides."""
        merged = {**DEFAULT_RULES, **self.attributes, **self.overrides.get(marketplace_id, {})}
        return {k: v for k, v in merged.items() if k not in self.disabled}

    def setting(self, name: str, marketplace_id: str | None = None):
        """A setting, where `settings[marketplace_id]` (a dict) overrides the shop-wide value."""
        local = self.settings.get(marketplace_id) if marketplace_id else None
        if isinstance(local, dict) and name in local:
            return local[name]
        return self.settings.get(name, DEFAULT_SETTINGS.get(name))

    def price_rule_data(self, marketplace_id: str) -> dict:
        return {**self.price_rules.get("*", {}), **self.price_rules.get(marketplace_id, {})}


def default_profile(product_type: str) -> MappingProfile:
    """A profile with only the defaults: enough for a typical product to need few clicks."""
    return MappingProfile(product_type=product_type, settings=dict(DEFAULT_SETTINGS))


def explain_missing(problem: Problem, rules: dict) -> Problem:
    """Say which rule came up empty when a mapped attribute is missing."""
    rule = rules.get(problem.attribute)
    if problem.code != "missing" or problem.path != problem.attribute or not rule:
        return problem
    source = rule.get("source")
    where = rule.get("key") or rule.get("template") or rule.get("value")
    fix = say(
        N_(
            "The rule for %(attribute)s (%(source)s %(where)s) found no value for this product: "
            "fill it in the store or change the rule."
        ),
        attribute=problem.attribute,
        source=str(source),
        where=str(where),
    )
    return Problem(
        problem.attribute,
        problem.marketplace_id,
        problem.code,
        problem.text or problem.message,
        fix,
        problem.severity,
        problem.path,
        problem.alternatives,
    )
