"""Amazon orders and the store orders they became."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.crypto import EncryptedText
from core.db import Base, utcnow


class OrderLink(Base):
    """An Amazon order and its store order: the unique key that makes import exactly-once."""

    __tablename__ = "order_links"
    __table_args__ = (UniqueConstraint("amazon_order_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    marketplace_id: Mapped[str] = mapped_column(String(20))
    fulfillment_channel: Mapped[str] = mapped_column(String(3), default="MFN")  # MFN|AFN
    amazon_status: Mapped[str] = mapped_column(String(30), default="")
    # claimed -> created -> (shipped|cancelled); failed with a reason
    state: Mapped[str] = mapped_column(String(20), default="claimed")
    store_order_id: Mapped[str | None] = mapped_column(String(100))
    store_order_name: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3), default="")
    total: Mapped[str] = mapped_column(String(30), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # buyer PII, only what order creation needs, encrypted and purged after shipment
    pii: Mapped[str | None] = mapped_column(EncryptedText)
    shipment: Mapped[dict] = mapped_column(JSON, default=dict)  # carrier, tracking, confirmed_at
    purchase_date: Mapped[datetime | None]
    latest_ship_date: Mapped[datetime | None]  # Amazon's ship-by date (late shipment rate)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
