"""Team: the store's staff in Crossport and their roles; owners and admins change them."""

from __future__ import annotations

from flask import g, jsonify
from marshmallow import Schema, fields, validate

from core.db import db
from core.models import User
from core.models.tenants import ROLES
from web.api.registry import conflict, not_found, operation
from web.auth import ROLE_ORDER


class MemberSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    email = fields.Str()
    role = fields.Str()
    platform_user_id = fields.Str()
    created_at = fields.DateTime()
    me = fields.Bool()


class RoleChangeSchema(Schema):
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))


def member_view(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "platform_user_id": user.platform_user_id,
        "created_at": user.created_at,
        "me": user.id == g.user.id,
    }


@operation(
    "/team",
    summary="The store's staff and their roles",
    tag="team",
    response=MemberSchema,
    many=True,
)
def list_team():
    return [
        member_view(u)
        for u in db.session.query(User).filter_by(shop_id=g.shop_id).order_by(User.id)
    ]


@operation(
    "/team/<int:user_id>",
    "PUT",
    summary="Change a staff member's role",
    tag="team",
    min_role="admin",
    body=RoleChangeSchema,
    response=MemberSchema,
)
def change_role(user_id: int, body: dict):
    member = db.session.query(User).filter_by(id=user_id, shop_id=g.shop_id).one_or_none()
    if member is None:
        return not_found("no such staff member")
    new_role = body["role"]
    # An admin manages editors and viewers; only an owner grants or takes away owner/admin.
    if g.user.role != "owner" and (
        ROLE_ORDER[new_role] >= ROLE_ORDER["admin"]
        or ROLE_ORDER[member.role] >= ROLE_ORDER["admin"]
    ):
        return jsonify(
            {"error": "forbidden", "message": "only an owner can grant or remove admin and owner"}
        ), 403
    if member.role == "owner" and new_role != "owner":
        owners = db.session.query(User).filter_by(shop_id=g.shop_id, role="owner").count()
        if owners <= 1:
            return conflict("last_owner", "the store needs at least one owner")
    member.role = new_role
    db.session.commit()
    return member_view(member)
