"""Root query and mutation fields the emulator answers; other fields resolve to null."""

from __future__ import annotations

from sandbox.shopify.admin_views import bulk_view, subscription_view
from sandbox.shopify.catalog_views import CatalogViews
from sandbox.shopify.changes import Changes
from sandbox.shopify.connections import connection
from sandbox.shopify.order_views import OrderViews
from sandbox.shopify.state import ShopState, gid, gid_number

TOPIC_NAMES = {
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_UPDATE": "products/update",
    "PRODUCTS_DELETE": "products/delete",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "FULFILLMENTS_UPDATE": "fulfillments/update",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "APP_UNINSTALLED": "app/uninstalled",
    "BULK_OPERATIONS_FINISH": "bulk_operations/finish",
}


class Resolvers:
    """Builds the root values for one request against one shop."""

    def __init__(self, shop: ShopState, changes: Changes, bulk_runner=None):
        self.shop = shop
        self.changes = changes
        self.catalog = CatalogViews(shop)
        self.orders = OrderViews(shop)
        self.bulk_runner = bulk_runner

    def node_by_gid(self, value: str):
        shop = self.shop
        try:
            kind, number = value.split("/")[3], gid_number(value)
        except (IndexError, ValueError):
            return None
        table = {
            "Product": (shop.products, self.catalog.product),
            "ProductVariant": (shop.variants, self.catalog.variant),
            "InventoryItem": (shop.items, self.catalog.item),
            "Location": (shop.locations, self.catalog.location),
            "Order": (shop.orders, self.orders.order),
            "Fulfillment": (shop.fulfillments, self.orders.fulfilment),
            "WebhookSubscription": (shop.subscriptions, subscription_view),
            "BulkOperation": (shop.bulk_operations, bulk_view),
        }.get(kind)
        if table is None or number not in table[0]:
            return None
        return table[1](table[0][number])

    def query_root(self) -> dict:
        shop = self.shop
        return {
            "shop": {
                "id": gid("Shop", 1),
                "name": shop.name,
                "myshopifyDomain": shop.domain,
                "currencyCode": shop.currency,
                "email": f"owner@{shop.domain}",
                "primaryDomain": {"host": shop.domain, "url": f"https://{shop.domain}"},
            },
            "shopLocales": lambda info, published=None: [
                {
                    "locale": loc,
                    "name": loc,
                    "primary": i == 0,
                    "published": True,
                    "marketWebPresences": [],
                }
                for i, loc in enumerate(shop.locales)
            ],
            "products": self.catalog.products,
            "product": lambda info, id: self._typed(id, "Product"),
            "productVariants": self.catalog.variants,
            "productVariant": lambda info, id: self._typed(id, "ProductVariant"),
            "inventoryItem": lambda info, id: self._typed(id, "InventoryItem"),
            "locations": self._locations,
            "location": lambda info, id=None: (
                self._typed(id, "Location")
                if id
                else self.catalog.location(shop.primary_location())
            ),
            "orders": self.orders.orders,
            "order": lambda info, id: self._typed(id, "Order"),
            "fulfillment": lambda info, id: self._typed(id, "Fulfillment"),
            "node": lambda info, id: self.node_by_gid(id),
            "nodes": lambda info, ids: [self.node_by_gid(i) for i in ids],
            "webhookSubscriptions": self._subscriptions,
            "webhookSubscription": lambda info, id: self._typed(id, "WebhookSubscription"),
            "currentBulkOperation": lambda info, type="QUERY": (
                bulk_view(shop.bulk_operations[max(shop.bulk_operations)])
                if shop.bulk_operations
                else None
            ),
            "bulkOperation": lambda info, id: self._typed(id, "BulkOperation"),
        }

    def _locations(
        self, info, query=None, includeLegacy=None, includeInactive=None, sortKey=None, **page
    ):
        locations = list(self.shop.locations.values())
        return connection(locations, self.catalog.location, info, key=lambda loc: loc["id"], **page)

    def _typed(self, value: str, kind: str):
        return self.node_by_gid(value) if f"/{kind}/" in str(value) else None

    def _subscriptions(
        self,
        info,
        topics=None,
        callbackUrl=None,
        uri=None,
        format=None,
        query=None,
        sortKey=None,
        **page,
    ):
        subs = [
            s
            for s in self.shop.subscriptions.values()
            if (not topics or s["topic"] in topics)
            and (not uri or s["uri"] == uri)
            and (not callbackUrl or s["uri"] == callbackUrl)
        ]
        return connection(subs, subscription_view, info, key=lambda s: s["id"], **page)

    # -- mutations ---------------------------------------------------------------------------

    def mutation_root(self) -> dict:
        from sandbox.shopify.mutations import Mutations

        return Mutations(self).root()
