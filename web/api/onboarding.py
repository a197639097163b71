"""Onboarding: Amazon connections per region, marketplaces, fulfilment, returns, the checklist."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from core.db import db
from core.models import (
    AmazonAccount,
    Listing,
    MappingProfile,
    ProductSnapshot,
    TargetMarketplace,
)
from jobs.catalog import request_catalogue_import
from mapping.marketplaces import MARKETPLACES
from web.api.registry import conflict, not_found, operation

REGIONS = ("NA", "EU", "FE")
ON_AMAZON = ("submitted", "active")  # listing statuses that exist on Amazon
SELLER_CENTRAL = {
    "NA": "sellercentral.amazon.com",
    "EU": "sellercentral-europe.amazon.com",
    "FE": "sellercentral-japan.amazon.com",
}
RETURN_ADDRESS_FIELDS = (
    "name",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "phone",
)


class AddressSchema(Schema):
    name = fields.Str(load_default="")
    address1 = fields.Str(load_default="")
    address2 = fields.Str(load_default="")
    city = fields.Str(load_default="")
    province = fields.Str(load_default="")
    zip = fields.Str(load_default="")
    country_code = fields.Str(load_default="", validate=validate.Length(max=2))
    phone = fields.Str(load_default="")


class MarketplaceSchema(Schema):
    id = fields.Int(allow_none=True)
    marketplace_id = fields.Str()
    country_code = fields.Str()
    name = fields.Str()
    region = fields.Str()
    currency = fields.Str()
    language = fields.Str()
    participating = fields.Bool()
    enabled = fields.Bool()
    # its account is disconnected: nothing is sent there until the region is connected again
    paused = fields.Bool()
    listings_left = fields.Int()  # listings still on Amazon there, no longer kept in step
    fulfillment_channel = fields.Str()
    safety_buffer = fields.Int(allow_none=True)
    return_address = fields.Nested(AddressSchema)
    how_to_open = fields.Str(allow_none=True)


class RegionSchema(Schema):
    region = fields.Str()
    account_id = fields.Int(allow_none=True)
    connected = fields.Bool()
    status = fields.Str()
    status_reason = fields.Str()
    disconnected_at = fields.DateTime(allow_none=True)
    disconnected_by = fields.Str(allow_none=True)  # set when the seller disconnected it here
    selling_partner_id = fields.Str(allow_none=True)
    authorize_url = fields.Str()
    disconnect_url = fields.Str(allow_none=True)
    # set while another seller than before was connected: POST {"selling_partner_id": ...}
    confirm_url = fields.Str(allow_none=True)


class ChecklistItemSchema(Schema):
    key = fields.Str()
    done = fields.Bool()


class OnboardingSchema(Schema):
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    regions = fields.List(fields.Nested(RegionSchema))
    marketplaces = fields.List(fields.Nested(MarketplaceSchema))
    safety_buffer = fields.Int()
    trial_run_size = fields.Int()
    store_connected = fields.Bool()


class MarketplaceUpdateSchema(Schema):
    enabled = fields.Bool()
    fulfillment_channel = fields.Str(validate=validate.OneOf(("FBM", "FBA")))
    safety_buffer = fields.Int(allow_none=True, validate=validate.Range(min=0, max=10000))
    return_address = fields.Nested(AddressSchema)


class ShopSettingsSchema(Schema):
    safety_buffer = fields.Int(validate=validate.Range(min=0, max=10000))
    trial_run_size = fields.Int(validate=validate.Range(min=1, max=50))


class JobQueuedSchema(Schema):
    job_id = fields.Str()
    run_id = fields.Int(allow_none=True)


def _marketplace_row(row: TargetMarketplace, listings_left: int = 0) -> dict:
    known = MARKETPLACES.get(row.marketplace_id)
    disconnected = row.account is not None and row.account.status != "connected"
    return {
        "id": row.id,
        "marketplace_id": row.marketplace_id,
        "country_code": row.country_code,
        "name": row.name or (known.site if known else row.marketplace_id),
        "region": row.account.region if row.account else (known.region if known else ""),
        "currency": row.currency,
        "language": row.language,
        "participating": row.participating,
        "enabled": row.enabled,
        "paused": row.paused or disconnected,
        "listings_left": listings_left if disconnected else 0,
        "fulfillment_channel": row.fulfillment_channel,
        "safety_buffer": row.safety_buffer,
        "return_address": row.return_address or {},
        "how_to_open": None
        if row.participating
        else SELLER_CENTRAL.get(row.account.region if row.account else "", ""),
    }


def _not_yet_open(region: str, taken: set[str]) -> list[dict]:
    """Marketplaces of a connected region the seller does not sell in yet, and where to open."""
    return [
        {
            "id": None,
            "marketplace_id": m.id,
            "country_code": m.country,
            "name": m.site,
            "region": m.region,
            "currency": m.currency,
            "language": m.language_tag,
            "participating": False,
            "enabled": False,
            "paused": False,
            "listings_left": 0,
            "fulfillment_channel": "FBM",
            "safety_buffer": None,
            "return_address": {},
            "how_to_open": SELLER_CENTRAL[region],
        }
        for m in MARKETPLACES.values()
        if m.region == region and m.id not in taken
    ]


def onboarding_state(shop_id: int) -> dict:
    shop = g.shop
    accounts = {a.region: a for a in db.session.query(AmazonAccount).filter_by(shop_id=shop_id)}
    rows = (
        db.session.query(TargetMarketplace)
        .filter_by(shop_id=shop_id)
        .order_by(TargetMarketplace.country_code)
        .all()
    )
    left = dict(
        db.session.query(Listing.marketplace_id, func.count(Listing.id))
        .filter(Listing.shop_id == shop_id, Listing.status.in_(ON_AMAZON))
        .group_by(Listing.marketplace_id)
        .all()
    )
    marketplaces = [_marketplace_row(r, left.get(r.marketplace_id, 0)) for r in rows]
    taken = {r.marketplace_id for r in rows}
    for region, account in accounts.items():
        if account.status == "connected":
            marketplaces += _not_yet_open(region, taken)
    regions = [
        {
            "region": region,
            "connected": bool(a and a.status == "connected"),
            "status": a.status if a else "not_connected",
            "status_reason": a.status_reason if a else "",
            "disconnected_at": a.disconnected_at if a else None,
            "disconnected_by": a.disconnected_by if a else None,
            "account_id": a.id if a else None,
            "selling_partner_id": a.selling_partner_id if a else None,
            "authorize_url": f"/amazon/authorize?region={region}",
            "disconnect_url": f"/amazon/accounts/{a.id}/disconnect"
            if a and a.status in ("connected", "unconfirmed")
            else None,
            "confirm_url": f"/amazon/accounts/{a.id}/confirm"
            if a and a.status == "unconfirmed"
            else None,
        }
        for region in REGIONS
        for a in [accounts.get(region)]
    ]
    enabled = [r for r in rows if r.enabled]
    count = lambda model: db.session.query(func.count(model.id)).filter_by(shop_id=shop_id).scalar()  # noqa: E731
    published = (
        db.session.query(func.count(Listing.id))
        .filter(Listing.shop_id == shop_id, Listing.status.in_(("submitted", "active")))
        .scalar()
    )
    checklist = [
        ("store_connected", shop.connection is not None and shop.connection.status == "connected"),
        ("amazon_connected", any(r["connected"] for r in regions)),
        ("marketplaces_chosen", bool(enabled)),
        (
            "return_addresses",
            bool(enabled)
            and all(
                r.fulfillment_channel == "FBA" or (r.return_address or {}).get("address1")
                for r in enabled
            ),
        ),
        ("products_imported", count(ProductSnapshot) > 0),
        ("mapping_done", count(MappingProfile) > 0),
        ("first_publish", published > 0),
    ]
    settings = shop.settings or {}
    return {
        "checklist": [{"key": k, "done": bool(v)} for k, v in checklist],
        "regions": regions,
        "marketplaces": marketplaces,
        "safety_buffer": int(settings.get("safety_buffer", 0)),
        "trial_run_size": int(settings.get("trial_run_size", 10)),
        "store_connected": checklist[0][1],
    }


@operation(
    "/onboarding",
    summary="Onboarding state: regions, marketplaces, checklist",
    tag="onboarding",
    response=OnboardingSchema,
)
def get_onboarding():
    return onboarding_state(g.shop_id)


@operation(
    "/marketplaces/<int:marketplace_row_id>",
    "PUT",
    tag="onboarding",
    min_role="admin",
    summary="Enable a marketplace, choose FBM/FBA, buffer and return address",
    body=MarketplaceUpdateSchema,
    response=MarketplaceSchema,
)
def update_marketplace(marketplace_row_id: int, body: dict):
    row = (
        db.session.query(TargetMarketplace)
        .filter_by(id=marketplace_row_id, shop_id=g.shop_id)
        .one_or_none()
    )
    if row is None:
        return not_found("no such marketplace")
    if body.get("enabled") and row.account is not None and row.account.status != "connected":
        return conflict(
            "account_disconnected",
            f"the Amazon {row.account.region} account is disconnected: connect it again first"
            if row.account.status != "unconfirmed"
            else f"the Amazon {row.account.region} account's seller is not confirmed yet",
        )
    for key in ("enabled", "fulfillment_channel", "safety_buffer"):
        if key in body:
            setattr(row, key, body[key])
    if "return_address" in body:
        row.return_address = {k: body["return_address"].get(k, "") for k in RETURN_ADDRESS_FIELDS}
    db.session.commit()
    return _marketplace_row(row)


@operation(
    "/settings",
    "PUT",
    summary="Shop-wide defaults: safety buffer, trial run size",
    tag="onboarding",
    min_role="admin",
    body=ShopSettingsSchema,
    response=OnboardingSchema,
)
def update_settings(body: dict):
    g.shop.settings = {**(g.shop.settings or {}), **body}
    db.session.commit()
    return onboarding_state(g.shop_id)


@operation(
    "/catalogue/import",
    "POST",
    summary="Import the store catalogue (queued job)",
    tag="onboarding",
    min_role="editor",
    response=JobQueuedSchema,
    status=202,
)
def import_catalogue():
    job = request_catalogue_import(g.shop_id)
    return {"job_id": job.id, "run_id": None}
