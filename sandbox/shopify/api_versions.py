"""Which Admin API version answers a request, as Shopify decides it
(https://shopify.dev/docs/api/usage/versioning):

- a supported stable version is served as asked (each is supported for at least 12 months, so
  several are at once: in December 2026, 2026-01 to 2026-10), as are the release candidate and
  `unstable`;
- a stable version that is no longer supported is not refused: Shopify "falls forward" and serves
  the oldest supported stable version, naming it in X-Shopify-API-Version;
- anything else (not a quarterly YYYY-MM handle, or a version not released yet) is 404 Not Found.

The emulator has one schema, 2026-07's (admin_schema.graphql), and answers every served version
with it; only the version header tells them apart.
"""

from __future__ import annotations

import re

SUPPORTED = ("2026-01", "2026-04", "2026-07", "2026-10")
RELEASE_CANDIDATE = "2027-01"
UNSTABLE = "unstable"
_STABLE_HANDLE = re.compile(r"^(\d{4})-(01|04|07|10)$")


def served_version(asked: str) -> str | None:
    """The version that answers a request for `asked`, or None for 404."""
    if asked in SUPPORTED or asked in (RELEASE_CANDIDATE, UNSTABLE):
        return asked
    if _STABLE_HANDLE.match(asked) and asked < SUPPORTED[0]:
        return SUPPORTED[0]  # retired: falls forward to the oldest supported
    return None
