"""What follows a store's installation, whichever platform: read its catalogue right away."""

from __future__ import annotations

from jobs.catalog import request_catalogue_import


def on_store_installed(shop_id: int) -> None:
    """Queue the catalogue import, so the products page fills while the seller onboards."""
    request_catalogue_import(shop_id)
