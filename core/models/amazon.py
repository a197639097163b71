"""A shop's Amazon seller accounts (one per region) and the marketplaces it sells in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.crypto import EncryptedText
from core.db import Base, utcnow


class AmazonAccount(Base):
    """A seller authorization for one region (NA, EU or FE): one refresh token covers one region."""

    __tablename__ = "amazon_accounts"
    __table_args__ = (UniqueConstraint("shop_id", "region"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    region: Mapped[str] = mapped_column(String(2))
    selling_partner_id: Mapped[str] = mapped_column(String(64))
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20), default="connected")  # connected|disconnected
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the ORDER_CHANGE subscription made for it: deleted on Amazon, by this id, when it goes
    subscription_id: Mapped[str | None] = mapped_column(String(100))
    # set when the seller disconnects it from the page (who: a staff name or email)
    disconnected_at: Mapped[datetime | None]
    disconnected_by: Mapped[str | None] = mapped_column(String(255))

    marketplaces: Mapped[list[TargetMarketplace]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )


class TargetMarketplace(Base):
    """One Amazon marketplace a seller participates in, and whether Crossport sells there."""

    __tablename__ = "target_marketplaces"
    __table_args__ = (UniqueConstraint("shop_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("amazon_accounts.id", ondelete="CASCADE"), index=True
    )
    marketplace_id: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(100), default="")
    domain: Mapped[str] = mapped_column(String(100), default="")  # e.g. amazon.de
    currency: Mapped[str] = mapped_column(String(3))  # from getMarketplaceParticipations
    language: Mapped[str] = mapped_column(String(10))  # e.g. de_DE
    participating: Mapped[bool] = mapped_column(default=True)
    enabled: Mapped[bool] = mapped_column(default=False)  # chosen by the seller
    # enabled until its account was disconnected: reconnecting enables it again
    paused: Mapped[bool] = mapped_column(default=False)
    fulfillment_channel: Mapped[str] = mapped_column(String(3), default="FBM")  # FBM|FBA
    safety_buffer: Mapped[int | None]  # None = the shop's default
    return_address: Mapped[dict] = mapped_column(JSON, default=dict)

    account: Mapped[AmazonAccount] = relationship(back_populates="marketplaces")
