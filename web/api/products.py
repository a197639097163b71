"""Products: every product with its listing status per marketplace, and one product's detail."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate
from sqlalchemy import or_

from core.db import db
from core.models import AmazonAccount, Listing, ProductSnapshot, TargetMarketplace, VariantSnapshot
from core.models.catalog import LISTING_STATUSES
from jobs.plans import plan_listing
from mapping.listing import ListingPlan
from mapping.marketplaces import MARKETPLACES
from web.api.registry import not_found, operation
from web.problem_text import ProblemList, localized_all

# When a product's SKUs differ, the one that needs the seller's attention shows.
ATTENTION = ("error", "problems", "held", "not_mapped", "ready", "submitted", "active")


class ProductQuerySchema(Schema):
    q = fields.Str(load_default="")
    status = fields.Str(load_default="", validate=validate.OneOf(("", *LISTING_STATUSES)))
    marketplace_id = fields.Str(load_default="")
    product_type = fields.Str(load_default="")
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=250))


class ProductRowSchema(Schema):
    id = fields.Int()
    external_id = fields.Str()
    title = fields.Str()
    product_type = fields.Str(allow_none=True)
    image = fields.Str(allow_none=True)
    skus = fields.List(fields.Str())
    statuses = fields.Dict(
        keys=fields.Str(),
        values=fields.Str(),
        metadata={"description": "marketplace id -> listing status"},
    )
    problem_count = fields.Int()


class MarketplaceRefSchema(Schema):
    marketplace_id = fields.Str()
    country_code = fields.Str()
    name = fields.Str()
    currency = fields.Str()
    # its Amazon account is disconnected: its listings show as such, and nothing is sent there
    disconnected = fields.Bool()


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductRowSchema))
    total = fields.Int()
    page = fields.Int()
    per_page = fields.Int()
    marketplaces = fields.List(fields.Nested(MarketplaceRefSchema))
    status_counts = fields.Dict(keys=fields.Str(), values=fields.Int())


class ListingSchema(Schema):
    id = fields.Int()
    sku = fields.Str()
    status = fields.Str()
    asin = fields.Str(allow_none=True)
    product_type = fields.Str(allow_none=True)
    fulfillment_channel = fields.Str()
    payload = fields.Dict()
    local_problems = ProblemList()  # in the request's language
    amazon_issues = fields.List(fields.Raw())
    price = fields.Decimal(as_string=True, allow_none=True, places=2)
    price_breakdown = fields.Str()
    quantity_sent = fields.Int(allow_none=True)
    updated_at = fields.DateTime()


class VariantSchema(Schema):
    id = fields.Int()
    sku = fields.Str()
    barcode = fields.Str(allow_none=True)
    price = fields.Decimal(as_string=True, allow_none=True, places=2)
    quantity = fields.Int()
    options = fields.Dict()


class MarketplaceDetailSchema(MarketplaceRefSchema):
    status = fields.Str()
    listings = fields.List(fields.Nested(ListingSchema))
    plan = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={"description": "live plans per SKU (payload, problems, price)"},
    )


class ProductDetailSchema(Schema):
    id = fields.Int()
    external_id = fields.Str()
    title = fields.Str()
    product_type = fields.Str(allow_none=True)
    description_html = fields.Str()
    images = fields.List(fields.Str())
    vendor_category = fields.Str(allow_none=True)
    variants = fields.List(fields.Nested(VariantSchema))
    marketplaces = fields.List(fields.Nested(MarketplaceDetailSchema))


class ProductTypeChoiceSchema(Schema):
    product_type = fields.Str(required=True, allow_none=True, validate=validate.Length(max=100))


def enabled_marketplaces(shop_id: int) -> list[dict]:
    rows = (
        db.session.query(TargetMarketplace)
        .filter_by(shop_id=shop_id, enabled=True)
        .order_by(TargetMarketplace.country_code)
        .all()
    )
    return [_marketplace_view(r) for r in rows]


def disconnected_marketplaces(shop_id: int) -> list[dict]:
    """Marketplaces sold in until their account was disconnected (paused, or enabled with a
    revoked account): their listings are still on Amazon, and no longer kept in step."""
    rows = (
        db.session.query(TargetMarketplace)
        .join(AmazonAccount, AmazonAccount.id == TargetMarketplace.account_id)
        .filter(TargetMarketplace.shop_id == shop_id, AmazonAccount.status != "connected")
        .filter(or_(TargetMarketplace.paused.is_(True), TargetMarketplace.enabled.is_(True)))
        .order_by(TargetMarketplace.country_code)
        .all()
    )
    return [{**_marketplace_view(r), "disconnected": True} for r in rows]


def _marketplace_view(row: TargetMarketplace) -> dict:
    return {
        "marketplace_id": row.marketplace_id,
        "country_code": row.country_code,
        "name": row.name or _site(row.marketplace_id),
        "currency": row.currency,
    }


def _site(marketplace_id: str) -> str:
    known = MARKETPLACES.get(marketplace_id)
    return known.site if known else marketplace_id


def aggregate(statuses: list[str]) -> str:
    """The status a product shows in one marketplace, from its SKUs' listing statuses."""
    if not statuses:
        return "not_mapped"
    return min(statuses, key=lambda s: ATTENTION.index(s) if s in ATTENTION else 0)


def _rows(shop_id: int, query: dict):
    products = db.session.query(ProductSnapshot).filter_by(shop_id=shop_id, deleted=False)
    if query["q"]:
        like = f"%{query['q']}%"
        sku_match = db.session.query(VariantSnapshot.product_id).filter(
            VariantSnapshot.shop_id == shop_id, VariantSnapshot.sku.ilike(like)
        )
        products = products.filter(
            or_(
                ProductSnapshot.title.ilike(like),
                ProductSnapshot.external_id == query["q"],
                ProductSnapshot.id.in_(sku_match),
            )
        )
    if query["product_type"]:
        products = products.filter(ProductSnapshot.product_type == query["product_type"])
    return products.order_by(ProductSnapshot.title, ProductSnapshot.id).all()


def product_statuses(shop_id: int, product_ids: list[int], marketplace_ids: list[str]):
    """{product id: ({marketplace id: status}, problem count, [skus])} for the given products."""
    variants = (
        db.session.query(VariantSnapshot.product_id, VariantSnapshot.sku)
        .filter(VariantSnapshot.shop_id == shop_id, VariantSnapshot.product_id.in_(product_ids))
        .all()
    )
    skus_of: dict[int, list[str]] = {}
    for product_id, sku in variants:
        skus_of.setdefault(product_id, []).append(sku)
    product_of = {sku: pid for pid, skus in skus_of.items() for sku in skus}
    found: dict[tuple[int, str], list[str]] = {}
    problems: dict[int, int] = {}
    listings = (
        db.session.query(Listing)
        .filter(Listing.shop_id == shop_id, Listing.sku.in_(list(product_of)))
        .all()
    )
    for listing in listings:
        pid = product_of[listing.sku]
        found.setdefault((pid, listing.marketplace_id), []).append(listing.status)
        problems[pid] = (
            problems.get(pid, 0)
            + len(listing.local_problems or [])
            + len(listing.amazon_issues or [])
        )
    return {
        pid: (
            {m: aggregate(found.get((pid, m), [])) for m in marketplace_ids},
            problems.get(pid, 0),
            sorted(skus_of.get(pid, [])),
        )
        for pid in product_ids
    }


@operation(
    "/products",
    summary="Products with their listing status per marketplace",
    tag="products",
    query=ProductQuerySchema,
    response=ProductPageSchema,
)
def list_products(query: dict):
    gone = {m["marketplace_id"]: m for m in disconnected_marketplaces(g.shop_id)}
    marketplaces = [m for m in enabled_marketplaces(g.shop_id) if m["marketplace_id"] not in gone]
    marketplaces += gone.values()
    ids = [m["marketplace_id"] for m in marketplaces]
    products = _rows(g.shop_id, query)
    statuses = product_statuses(g.shop_id, [p.id for p in products], ids)
    for by_market, _problems, _skus in statuses.values():
        for market_id in gone:  # listed there once, not in step any more
            if by_market[market_id] != "not_mapped":
                by_market[market_id] = "disconnected"
    wanted_markets = [query["marketplace_id"]] if query["marketplace_id"] else ids
    counts: dict[str, int] = {}
    items = []
    for product in products:
        by_market, problem_count, skus = statuses[product.id]
        shown = [by_market.get(m, "not_mapped") for m in wanted_markets]
        for status in set(shown):
            counts[status] = counts.get(status, 0) + 1
        if query["status"] and query["status"] not in shown:
            continue
        images = (product.data or {}).get("images") or []
        items.append(
            {
                "id": product.id,
                "external_id": product.external_id,
                "title": product.title,
                "product_type": product.product_type,
                "image": images[0] if images else None,
                "skus": skus,
                "statuses": by_market,
                "problem_count": problem_count,
            }
        )
    start = (query["page"] - 1) * query["per_page"]
    return {
        "items": items[start : start + query["per_page"]],
        "total": len(items),
        "page": query["page"],
        "per_page": query["per_page"],
        "marketplaces": marketplaces,
        "status_counts": counts,
    }


def load_product(product_id: int) -> ProductSnapshot | None:
    return (
        db.session.query(ProductSnapshot).filter_by(id=product_id, shop_id=g.shop_id).one_or_none()
    )


def fresh_plan(shop_id: int, product_id: int, marketplace_id: str) -> list[dict]:
    """The product's live plans (one per SKU: payload, problems, price), from stored data."""
    return [plan_view(p) for p in plan_listing(shop_id, product_id, marketplace_id)]


def plan_view(plan: ListingPlan) -> dict:
    """One SKU's plan as JSON, its problems and hints in the seller's language."""
    breakdown = plan.price_breakdown
    return {
        "sku": plan.sku,
        "role": plan.role,
        "marketplace_id": plan.marketplace_id,
        "payload": plan.payload,
        "problems": localized_all(plan.problems),
        "hints": localized_all(plan.hints),
        "price_breakdown": breakdown.to_dict() if breakdown is not None else None,
    }


def product_detail(product: ProductSnapshot, with_plan: bool = False) -> dict:
    variants = (
        db.session.query(VariantSnapshot)
        .filter_by(shop_id=g.shop_id, product_id=product.id)
        .order_by(VariantSnapshot.sku)
        .all()
    )
    skus = [v.sku for v in variants]
    listings = (
        (
            db.session.query(Listing)
            .filter(Listing.shop_id == g.shop_id, Listing.sku.in_(skus))
            .order_by(Listing.sku)
            .all()
        )
        if skus
        else []
    )
    markets = []
    for market in enabled_marketplaces(g.shop_id):
        mine = [li for li in listings if li.marketplace_id == market["marketplace_id"]]
        plan = fresh_plan(g.shop_id, product.id, market["marketplace_id"]) if with_plan else None
        markets.append(
            {
                **market,
                "status": aggregate([li.status for li in mine]),
                "listings": mine,
                "plan": plan,
            }
        )
    data = product.data or {}
    return {
        "id": product.id,
        "external_id": product.external_id,
        "title": product.title,
        "product_type": product.product_type,
        "description_html": data.get("description_html", ""),
        "images": data.get("images") or [],
        "vendor_category": data.get("category"),
        "variants": [
            {
                "id": v.id,
                "sku": v.sku,
                "barcode": v.barcode,
                "price": v.price,
                "quantity": v.quantity,
                "options": (v.data or {}).get("options") or {},
            }
            for v in variants
        ],
        "marketplaces": markets,
    }


@operation(
    "/products/<int:product_id>",
    tag="products",
    response=ProductDetailSchema,
    summary="One product per marketplace: payload, problems, Amazon issues, price",
)
def get_product(product_id: int):
    product = load_product(product_id)
    if product is None:
        return not_found("no such product")
    return product_detail(product, with_plan=True)


@operation(
    "/products/<int:product_id>/product-type",
    "PUT",
    tag="products",
    min_role="editor",
    body=ProductTypeChoiceSchema,
    response=ProductDetailSchema,
    summary="Choose the Amazon product type of a product",
)
def set_product_type(product_id: int, body: dict):
    product = load_product(product_id)
    if product is None:
        return not_found("no such product")
    product.product_type = body["product_type"] or None
    db.session.commit()
    return product_detail(product, with_plan=True)
