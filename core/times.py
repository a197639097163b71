"""Platform timestamps (ISO 8601, often ending in Z) as naive UTC, as the database keeps them."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_utc(value: str | None) -> datetime | None:
    """Naive UTC for an ISO 8601 string; None when it is empty or not a timestamp."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
