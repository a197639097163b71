"""The catalogue side: mappings, price rules, store snapshots, listings and submissions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow

LISTING_STATUSES = ("not_mapped", "problems", "ready", "submitted", "active", "error", "held")


class MappingProfile(Base):
    """How a shop's products become one Amazon product type: a source per attribute."""

    __tablename__ = "mapping_profiles"
    __table_args__ = (UniqueConstraint("shop_id", "product_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    product_type: Mapped[str] = mapped_column(String(100))
    # {"attribute": {"source": "field|option|metafield|constant|transform", ...}}
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    # {"marketplace_id": {"attribute": {...}}}
    overrides: Mapped[dict] = mapped_column(JSON, default=dict)
    # the rest of mapping.profiles.MappingProfile: settings (variation theme, condition...),
    # seller texts per marketplace, price rules per product type, attributes never sent
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    price_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    disabled: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PriceRule(Base):
    """How a store price becomes an Amazon price in one marketplace."""

    __tablename__ = "price_rules"
    __table_args__ = (UniqueConstraint("shop_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    marketplace_id: Mapped[str] = mapped_column(String(20))
    rule: Mapped[dict] = mapped_column(JSON, default=dict)  # markup, ending, min, max, vat ...


class FxRate(Base):
    """An exchange rate with its date and source; manual overrides win over fetched rates."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("base", "quote", "as_of", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    as_of: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(30), default="seed")  # seed|ecb|manual


class SchemaCache(Base):
    """A product-type schema fetched once per (type, marketplace, locale, version)."""

    __tablename__ = "schema_cache"
    __table_args__ = (UniqueConstraint("product_type", "marketplace_id", "locale", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_type: Mapped[str] = mapped_column(String(100))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(10))
    version: Mapped[str] = mapped_column(String(100))
    envelope: Mapped[dict] = mapped_column(JSON)  # propertyGroups, requirements, ...
    schema: Mapped[dict] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProductSnapshot(Base):
    """The store's product as last seen (canonical model), for mapping without a store call."""

    __tablename__ = "product_snapshots"
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(Text, default="")
    product_type: Mapped[str | None] = mapped_column(String(100))  # chosen Amazon product type
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    store_updated_at: Mapped[datetime | None]  # older payloads never overwrite newer ones
    deleted: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class VariantSnapshot(Base):
    """One sellable variant (a SKU) of a product snapshot."""

    __tablename__ = "variant_snapshots"
    __table_args__ = (UniqueConstraint("shop_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product_snapshots.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str | None] = mapped_column(String(50))
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    quantity: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class Listing(Base):
    """One SKU in one marketplace: what was sent, what Amazon says, and its status."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("shop_id", "sku", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(100))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    product_type: Mapped[str | None] = mapped_column(String(100))
    parent_sku: Mapped[str | None] = mapped_column(String(100))
    asin: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="not_mapped")  # LISTING_STATUSES
    fulfillment_channel: Mapped[str] = mapped_column(String(3), default="FBM")
    local_problems: Mapped[list] = mapped_column(JSON, default=list)
    amazon_issues: Mapped[list] = mapped_column(JSON, default=list)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # last payload sent
    price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    price_breakdown: Mapped[str] = mapped_column(Text, default="")
    quantity_sent: Mapped[int | None]
    fba_quantity: Mapped[int | None]
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Submission(Base):
    """A feed or a single listings call sent to Amazon, and how it ended."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # feed|put|patch|delete
    marketplace_id: Mapped[str] = mapped_column(String(20))
    feed_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    message_count: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
