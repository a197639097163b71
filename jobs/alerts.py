"""Alerts for what needs a human; one open alert per kind and subject, not one per failure."""

from __future__ import annotations

from core.db import db, utcnow
from core.models import Alert


def raise_alert(
    shop_id: int, kind: str, message: str, severity: str = "error", details: dict | None = None
) -> Alert:
    existing = (
        db.session.query(Alert)
        .filter_by(shop_id=shop_id, kind=kind, message=message, resolved_at=None)
        .first()
    )
    if existing is not None:
        return existing
    alert = Alert(
        shop_id=shop_id,
        kind=kind,
        message=message,
        severity=severity,
        details=details or {},
        created_at=utcnow(),
    )
    db.session.add(alert)
    return alert
