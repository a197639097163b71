"""The JSON API behind the embedded page, under /api; every call is tenant-scoped by token."""

# Importing the view modules registers their routes on `bp` (no I/O happens here).
from web.api import (  # noqa: E402,F401  (imported for their routes)
    account_health,
    activity,
    dashboard,
    mapping,
    me,
    onboarding,
    orders,
    pricing,
    products,
    publish,
    team,
)
from web.api.registry import bp

__all__ = ["bp"]
