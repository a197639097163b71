"""The Amazon operations the jobs need, on one seller account, in the jobs' own words.

A thin layer over `integrations.amazon`: it picks the account of a marketplace and shapes the
patches, so jobs read as "set the quantity" rather than as JSON-patch documents.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.db import db
from core.models import AmazonAccount, TargetMarketplace
from integrations.amazon import feeds, inventory, listings, orders, reports
from jobs.accounts import client_for


class AmazonSeller:
    """One connected seller account (one region) and the calls the jobs make on it."""

    def __init__(self, account: AmazonAccount):
        self.account = account
        self.client = client_for(account)

    @property
    def seller_id(self) -> str:
        return self.account.selling_partner_id

    # listings ----------------------------------------------------------------------------
    def set_quantity(self, marketplace_id: str, sku: str, product_type: str, quantity: int) -> dict:
        patch = listings.quantity_patch(quantity)
        return listings.patch_listing(self.client, marketplace_id, sku, product_type, [patch])

    def patch_listing(
        self, marketplace_id: str, sku: str, product_type: str, patches: list[dict]
    ) -> dict:
        return listings.patch_listing(self.client, marketplace_id, sku, product_type, patches)

    def put_listing(
        self,
        marketplace_id: str,
        sku: str,
        body: dict,
        *,
        preview: bool = False,
        issue_locale: str | None = None,
    ) -> dict:
        return listings.put_listing(
            self.client,
            marketplace_id,
            sku,
            body["productType"],
            body["attributes"],
            requirements=body.get("requirements", "LISTING"),
            preview=preview,
            issue_locale=issue_locale,
        )

    def get_listing(self, marketplace_id: str, sku: str) -> dict | None:
        return listings.get_listing(self.client, marketplace_id, sku)

    def search_listings(self, marketplace_id: str, skus: list[str]) -> list[dict]:
        return listings.search_listings(self.client, marketplace_id, skus)

    # feeds -------------------------------------------------------------------------------
    def submit_feed(
        self,
        marketplace_id: str,
        messages: list[dict],
        issue_locale: str | None = None,
        *,
        retry_throttled: bool = True,
    ) -> str:
        document = feeds.listings_feed(self.seller_id, messages, issue_locale=issue_locale)
        return feeds.submit_listings_feed(
            self.client, [marketplace_id], document, retry_throttled=retry_throttled
        )

    def feeds_available(self) -> int:
        """Feeds that can be submitted now without waiting for Amazon's createFeed budget."""
        return self.client.limiter.available(self.seller_id, "createFeed")

    def feed_status(self, marketplace_id: str, feed_id: str) -> dict:
        return feeds.get_feed(self.client, marketplace_id, feed_id)

    def feed_report(self, marketplace_id: str, document_id: str) -> dict:
        return feeds.download_report(self.client, marketplace_id, document_id)

    # orders ------------------------------------------------------------------------------
    def iter_orders(
        self, marketplace_ids: list[str], *, last_updated_after: str, with_buyer_data: bool = False
    ) -> Iterator[tuple[str, dict | str]]:
        """("order", order) per order, then ("checkpoint", iso) where Amazon's answer ends."""
        return orders.iter_orders(
            self.client,
            marketplace_ids,
            last_updated_after=last_updated_after,
            with_buyer_data=with_buyer_data,
        )

    def get_order(self, marketplace_id: str, order_id: str) -> dict:
        return orders.get_order(self.client, marketplace_id, order_id)

    def order_items(self, marketplace_id: str, order_id: str) -> list[dict]:
        return orders.get_order_items(self.client, marketplace_id, order_id)

    def order_pii(self, marketplace_id: str, order_id: str) -> tuple[dict, dict]:
        return orders.get_order_pii(self.client, marketplace_id, order_id)

    def confirm_shipment(
        self,
        order_id: str,
        *,
        marketplace_id: str,
        carrier_code: str,
        carrier_name: str | None,
        tracking_number: str,
        ship_date: str,
        ship_method: str | None,
        order_items: list[dict],
    ) -> None:
        orders.confirm_shipment(
            self.client,
            marketplace_id,
            order_id,
            package_reference=tracking_number[-30:],
            carrier_code=carrier_code,
            carrier_name=carrier_name,
            tracking_number=tracking_number,
            ship_date=ship_date,
            items=order_items,
            shipping_method=ship_method,
        )

    # FBA ---------------------------------------------------------------------------------
    def fba_quantities(self, marketplace_id: str, skus: list[str] | None = None) -> dict[str, int]:
        return inventory.fba_quantities(self.client, marketplace_id, skus)

    # reports -----------------------------------------------------------------------------
    def request_seller_performance(self, marketplace_id: str) -> str:
        return reports.request_seller_performance(self.client, marketplace_id)

    def report_status(self, marketplace_id: str, report_id: str) -> dict:
        return reports.get_report(self.client, marketplace_id, report_id)

    def seller_performance(
        self, marketplace_id: str, document_id: str
    ) -> dict[str, reports.MarketplacePerformance]:
        return reports.seller_performance(self.client, marketplace_id, document_id)


def seller_for_account(account: AmazonAccount) -> AmazonSeller:
    return AmazonSeller(account)


def seller_for(shop_id: int, marketplace_id: str) -> AmazonSeller:
    """The seller account that covers `marketplace_id` for this shop."""
    target = (
        db.session.query(TargetMarketplace)
        .filter_by(shop_id=shop_id, marketplace_id=marketplace_id)
        .first()
    )
    if target is None:
        raise LookupError(f"shop {shop_id} has no Amazon account for {marketplace_id}")
    return AmazonSeller(target.account)
