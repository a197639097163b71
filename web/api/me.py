"""Who am I: the shop, the staff member, their role and chosen page language."""

from __future__ import annotations

from flask import current_app, g
from marshmallow import Schema, fields, validate

from core.db import db
from web.api.registry import operation
from web.i18n import LOCALES, save_user_locale, user_locale


class ShopSchema(Schema):
    id = fields.Int()
    platform = fields.Str()
    domain = fields.Str()
    name = fields.Str()
    currency = fields.Str()


class UserSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    email = fields.Str()
    role = fields.Str()
    platform_user_id = fields.Str()


class MeSchema(Schema):
    shop = fields.Nested(ShopSchema)
    user = fields.Nested(UserSchema)
    locale = fields.Str(metadata={"description": "the page language: en or zh_Hans"})
    locales = fields.List(fields.Str())
    sandbox = fields.Bool()


class LocaleSchema(Schema):
    locale = fields.Str(required=True, validate=validate.OneOf(LOCALES))


@operation(
    "/me", summary="The calling shop, staff member and page language", tag="me", response=MeSchema
)
def get_me():
    return _me()


def _me() -> dict:
    return {
        "shop": g.shop,
        "user": g.user,
        "locale": user_locale(g.shop, g.user) or "en",
        "locales": list(LOCALES),
        "sandbox": current_app.config["SETTINGS"].sandbox,
    }


@operation(
    "/me/locale",
    "PUT",
    summary="Choose the page language (kept per staff member)",
    tag="me",
    body=LocaleSchema,
    response=MeSchema,
)
def set_locale(body):
    save_user_locale(g.shop, g.user, body["locale"])
    db.session.commit()
    return _me()
