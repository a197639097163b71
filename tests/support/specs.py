"""The one place that decides what a test does when the official contracts are not there.

The official contracts (Amazon's models and product-type schemas, Shopify's Admin schema and
webhook payloads, WooCommerce's docs) live beside the project in ../shared/specs, or wherever
CROSSPORT_SPECS_DIR says; this repository never holds them. A test that reads them asks here:
on a lone clone it is skipped, saying what is missing; where CI is set it fails instead, since
CI must check the contracts. See docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.server import specs_dir as specs_location


def contracts_required() -> bool:
    """True under CI (CI set to anything but empty, 0 or false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def specs_path(*parts: str) -> Path:
    """The official contracts folder, or the file or folder `parts` under it, when present;
    otherwise skip the test (fail it under CI), naming the path looked for."""
    path = specs_location().joinpath(*parts)
    if path.exists():
        return path
    missing(f"{path} does not exist")
    raise AssertionError("unreachable")  # missing() always raises


def missing(what: str) -> None:
    """Skip (or under CI fail) the calling test because an official contract is missing."""
    reason = (
        f"official contracts absent: {what} (put ../shared/specs beside the project or set "
        "CROSSPORT_SPECS_DIR)"
    )
    if contracts_required():
        pytest.fail(f"CI is set, so contract tests are required; {reason}", pytrace=False)
    pytest.skip(reason)
