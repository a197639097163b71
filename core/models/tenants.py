"""Tenants: a shop, its store connection, its staff, and single-use authorization states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import Base, utcnow

ROLES = ("owner", "admin", "editor", "viewer")


class Shop(Base):
    """One store installed into Crossport: the tenant every other row belongs to."""

    __tablename__ = "shops"
    __table_args__ = (UniqueConstraint("platform", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))  # shopify | woocommerce
    domain: Mapped[str] = mapped_column(String(255))  # myshopify domain or store URL
    name: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default="installed")  # installed|uninstalled
    locale: Mapped[str] = mapped_column(String(16), default="en")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # seller-wide defaults: safety_buffer, low_stock_threshold, trial_run_size, ...
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    installed_at: Mapped[datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[datetime | None]

    connection: Mapped[StoreConnection | None] = relationship(
        back_populates="shop", cascade="all, delete-orphan", uselist=False
    )


class StoreConnection(Base):
    """How Crossport reaches the store's API; every credential encrypted at rest."""

    __tablename__ = "store_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), unique=True)
    base_url: Mapped[str] = mapped_column(String(500), default="")
    scopes: Mapped[str] = mapped_column(String(1000), default="")
    access_token: Mapped[str | None] = mapped_column(EncryptedText)
    token_expires_at: Mapped[datetime | None]
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    refresh_token_expires_at: Mapped[datetime | None]
    consumer_key: Mapped[str | None] = mapped_column(EncryptedText)
    consumer_secret: Mapped[str | None] = mapped_column(EncryptedText)
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedText)
    # WooCommerce: the key the plugin signs its iframe tokens with, handed to it while connecting
    # (integrations/woocommerce/plugin_token.py); never derived from the webhook secret.
    plugin_token_key: Mapped[str | None] = mapped_column(EncryptedText)
    key_permissions: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="connected")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    shop: Mapped[Shop] = relationship(back_populates="connection")


class User(Base):
    """A member of the store's staff and what they may do in Crossport."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("shop_id", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    platform_user_id: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), default="")
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(10), default="viewer")  # one of ROLES
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthState(Base):
    """A single-use OAuth `state` or key-flow nonce, bound to a tenant or a browser."""

    __tablename__ = "auth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), unique=True)
    purpose: Mapped[str] = mapped_column(String(30))  # shopify_install|amazon_connect|woo_connect
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # what the state is bound to besides the tenant: a browser cookie hash, a store URL, a region
    binding: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
