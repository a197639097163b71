"""What follows a store's installation, whichever platform: read its catalogue right away."""

from __future__ import annotations

from jobs.queues import enqueue


def on_store_installed(shop_id: int) -> None:
    """Queue the catalogue import, so the products page fills while the seller onboards."""
    enqueue(
        "jobs.catalog.import_catalogue",
        shop_id,
        queue="bulk",
        job_id=f"catalogue:{shop_id}",
        title="Import the store catalogue",
        shop_id=shop_id,
    )
