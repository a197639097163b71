"""Amazon's view of a seller's account health, per account and marketplace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class AccountHealth(Base):
    """The last seller performance report of one marketplace, and the report being fetched.

    `metrics` keeps the last good result while a new report is `requested`, so the dashboard
    never goes blank during a refresh.
    """

    __tablename__ = "account_health"
    __table_args__ = (UniqueConstraint("account_id", "marketplace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("amazon_accounts.id", ondelete="CASCADE"), index=True
    )
    marketplace_id: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="requested")  # requested|done|failed
    report_id: Mapped[str | None] = mapped_column(String(100))  # the report asked for last
    requested_at: Mapped[datetime | None]
    # metric name -> rate, status, target_value, target_condition, date_from, date_to, counts
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    account_status: Mapped[str] = mapped_column(String(20), default="")  # NORMAL|AT_RISK|...
    period_start: Mapped[datetime | None]  # earliest reportingDateFrom of the metrics
    period_end: Mapped[datetime | None]  # latest reportingDateTo
    fetched_at: Mapped[datetime | None]  # when `metrics` were downloaded
    message: Mapped[str] = mapped_column(Text, default="")  # why the last report failed
