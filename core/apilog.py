"""The API log: one row per call to a platform, shown to the seller in the activity page."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.orm import Session

from core.db import db, utcnow
from core.models import ApiCall
from core.retention import delete_in_batches

log = logging.getLogger("crossport.api")


def record_api_call(
    *,
    shop_id: int | None,
    platform: str,
    operation: str,
    method: str,
    url_path: str,
    status_code: int,
    duration_ms: int,
    marketplace_id: str | None = None,
    request_id: str | None = None,
    error_codes: Iterable[str] = (),
    error_message: str | None = None,
) -> None:
    """Write one ApiCall row in its own transaction, so a failing job still leaves its trace."""
    row = ApiCall(
        shop_id=shop_id,
        platform=platform,
        operation=operation,
        marketplace_id=marketplace_id,
        method=method,
        url_path=url_path.split("?", 1)[0][:500],  # query strings may carry keys: never stored
        status_code=status_code,
        duration_ms=duration_ms,
        request_id=request_id,
        error_codes=list(error_codes),
        error_message=(error_message or "")[:2000],
    )
    with Session(db.engine) as session:  # independent of the caller's transaction
        session.add(row)
        session.commit()
    log.info(
        "api call",
        extra={
            "shop_id": shop_id,
            "platform": platform,
            "operation": operation,
            "status": status_code,
            "duration_ms": duration_ms,
            "request_id": request_id,
        },
    )


def purge_old_calls(retention_days: int) -> int:
    """Delete API log rows older than the retention period, a batch at a time (the busiest
    table: a row per call to a platform); returns how many went."""
    cutoff = utcnow() - timedelta(days=retention_days)
    return delete_in_batches(ApiCall, ApiCall.created_at < cutoff)
