"""The canonical product model that every store adapter fills, as marshmallow schemas.

Store adapters (Shopify, WooCommerce) produce plain dicts in this shape; the jobs load them with
`ProductSchema().load(data)` at the boundary so that `mapping/` only ever sees checked data.
Unknown keys are dropped (`unknown=EXCLUDE`), because platform payloads grow new fields.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

WEIGHT_UNITS = ("kg", "g", "lb", "oz")
LENGTH_UNITS = ("cm", "in", "mm")
PRODUCT_STATUSES = ("active", "draft", "archived")


class DecimalString(fields.String):
    """A money amount carried as a decimal string ("29.90"), never as a float."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError("Not a decimal amount.") from exc
        if not amount.is_finite() or amount < 0:
            raise ValidationError("Must be a finite amount of zero or more.")
        return text


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class WeightSchema(_Base):
    value = fields.Float(required=True, validate=validate.Range(min=0))
    unit = fields.String(required=True, validate=validate.OneOf(WEIGHT_UNITS))


class DimensionsSchema(_Base):
    length = fields.Float(required=True, validate=validate.Range(min=0))
    width = fields.Float(required=True, validate=validate.Range(min=0))
    height = fields.Float(required=True, validate=validate.Range(min=0))
    unit = fields.String(required=True, validate=validate.OneOf(LENGTH_UNITS))


class OptionSchema(_Base):
    name = fields.String(required=True, validate=validate.Length(min=1))
    values = fields.List(fields.String(), load_default=list)


class TranslationSchema(_Base):
    title = fields.String(allow_none=True, load_default=None)
    description_html = fields.String(allow_none=True, load_default=None)


_METAFIELD_VALUE = fields.Raw(allow_none=True)


class VariantSchema(_Base):
    id = fields.String(required=True)
    # Empty or over-long SKUs are reported per listing by the mapper, not rejected here.
    sku = fields.String(required=True)
    barcode = fields.String(allow_none=True, load_default=None)
    price = DecimalString(required=True)
    compare_at_price = DecimalString(allow_none=True, load_default=None)
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    quantity = fields.Integer(load_default=0)
    inventory_item_id = fields.String(allow_none=True, load_default=None)
    weight = fields.Nested(WeightSchema, allow_none=True, load_default=None)
    dimensions = fields.Nested(DimensionsSchema, allow_none=True, load_default=None)
    options = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    image = fields.String(allow_none=True, load_default=None)
    metafields = fields.Dict(keys=fields.String(), values=_METAFIELD_VALUE, load_default=dict)

    @validates("currency")
    def _upper_currency(self, value: str, **_kwargs) -> None:
        if value != value.upper():
            raise ValidationError("Currency codes are upper case (ISO 4217).")


class ProductSchema(_Base):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description_html = fields.String(load_default="")
    brand = fields.String(allow_none=True, load_default=None)
    category = fields.String(allow_none=True, load_default=None)
    tags = fields.List(fields.String(), load_default=list)
    status = fields.String(load_default="active", validate=validate.OneOf(PRODUCT_STATUSES))
    updated_at = fields.String(load_default="")
    options = fields.List(fields.Nested(OptionSchema), load_default=list)
    images = fields.List(fields.String(), load_default=list)
    metafields = fields.Dict(keys=fields.String(), values=_METAFIELD_VALUE, load_default=dict)
    translations = fields.Dict(
        keys=fields.String(), values=fields.Nested(TranslationSchema), load_default=dict
    )
    variants = fields.List(fields.Nested(VariantSchema), load_default=list)


# Building a schema instance binds every nested field and costs more than a load; marshmallow's
# load keeps no state on the instance, so one serves every call.
_PRODUCT_SCHEMA = ProductSchema()


def load_product(data: dict) -> dict:
    """Check and normalise one store product; raises marshmallow.ValidationError when malformed."""
    return _PRODUCT_SCHEMA.load(data)
