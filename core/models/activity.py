"""What happened: the webhook inbox, the API log, job runs, alerts and sync checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow


class WebhookEvent(Base):
    """A received webhook, recorded before it is acknowledged; unique per platform event."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("platform", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(100))
    event_key: Mapped[str] = mapped_column(String(255))  # Shopify event id, Woo resource+mtime
    resource_id: Mapped[str] = mapped_column(String(100), default="")
    resource_updated_at: Mapped[datetime | None]
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="received")  # received|done|failed
    error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    processed_at: Mapped[datetime | None]


class ApiCall(Base):
    """One call to a platform API, as the seller sees it in the activity log."""

    __tablename__ = "api_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(20))  # amazon|shopify|woocommerce
    operation: Mapped[str] = mapped_column(String(100))
    marketplace_id: Mapped[str | None] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10), default="")
    url_path: Mapped[str] = mapped_column(String(500), default="")
    status_code: Mapped[int] = mapped_column(default=0)  # 0 = no answer (timeout, refused)
    duration_ms: Mapped[int] = mapped_column(default=0)
    request_id: Mapped[str | None] = mapped_column(String(100))
    error_codes: Mapped[list] = mapped_column(JSON, default=list)
    error_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Alert(Base):
    """Something that needs a human: listing issues, a disconnected account, repeated failures."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10), default="warning")  # info|warning|error
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class JobRun(Base):
    """A unit of work the seller sees (publish, sync, import) with progress; RQ results expire."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|running|done|failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    rq_job_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Checkpoint(Base):
    """Where a periodic sweep stopped (e.g. orders LastUpdatedAfter per account and region)."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
