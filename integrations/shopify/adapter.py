"""The Shopify implementation of integrations.store.StoreAdapter, over the Admin GraphQL API."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from integrations.shopify import bulk
from integrations.shopify.client import ShopifyError, ShopifyGraphQL
from integrations.shopify.orders import fulfilments_of, order_input
from integrations.shopify.products import to_canonical
from integrations.store import CreatedOrder, Fulfilment

log = logging.getLogger("crossport.shopify")
SKU_BATCH = 40
TRANSLATION_BATCH = 100


def _search_value(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ShopifyStore:
    """One Shopify shop as the jobs see it; its credentials live in `client`."""

    def __init__(self, client: ShopifyGraphQL, *, redis=None, bulk_poll: float = 1.0):
        self.client = client
        self.redis = redis  # for an order lock of its own, for callers holding none
        self.bulk_poll = bulk_poll
        self._shop_info: dict | None = None

    @classmethod
    def for_shop(cls, shop, *, order_lock: bool = True) -> ShopifyStore:
        """Build from a Shop row inside an app context (settings and Redis of the app).

        order_lock: `create_order` takes a Redis lock per Amazon order of its own; the jobs,
        which hold the order's lock themselves (jobs/orders.py), build it without."""
        from flask import current_app

        from core.redis import get_redis
        from integrations.shopify.install import client_for

        redis = get_redis()
        client = client_for(current_app.config["SETTINGS"], shop, redis)
        return cls(client, redis=redis if order_lock else None)

    # -- catalogue -----------------------------------------------------------------------------

    def shop_info(self) -> dict:
        if self._shop_info is None:
            data = self.client.execute("ShopInfo")
            locales = [loc["locale"] for loc in data["shopLocales"] if not loc["primary"]]
            self._shop_info = {"currency": data["shop"]["currencyCode"], "locales": locales}
        return self._shop_info

    def _translations(self, product_ids: list[str]) -> dict[str, dict[str, list]]:
        found: dict[str, dict[str, list]] = {pid: {} for pid in product_ids}
        for locale in self.shop_info()["locales"]:
            for start in range(0, len(product_ids), TRANSLATION_BATCH):
                ids = product_ids[start : start + TRANSLATION_BATCH]
                data = self.client.execute("ProductTranslations", {"ids": ids, "locale": locale})
                for node in data["nodes"]:
                    if node and node.get("translations"):
                        found[node["id"]][locale] = node["translations"]
        return found

    def _all_variants(self, node: dict) -> list[dict]:
        variants = list((node.get("variants") or {}).get("nodes") or [])
        info = (node.get("variants") or {}).get("pageInfo") or {}
        if info.get("hasNextPage"):
            variants += list(
                self.client.paginate(
                    "ProductVariantsPage",
                    {"id": node["id"], "after": info["endCursor"]},
                    ("product", "variants"),
                )
            )
        return variants

    def iter_products(self, updated_since: str | None = None) -> Iterator[dict]:
        """Everything through a bulk operation; only changes through paged queries."""
        currency = self.shop_info()["currency"]
        if updated_since is None:
            yield from self._bulk_products(currency)
            return
        query = f"updated_at:>{_search_value(updated_since)}"
        for node in self.client.paginate(
            "ProductsPage", {"first": 1, "query": query}, ("products",)
        ):
            texts = self._translations([node["id"]])[node["id"]]
            yield to_canonical(
                node, self._all_variants(node), currency=currency, translations=texts
            )

    def _bulk_products(self, currency: str) -> Iterator[dict]:
        url = bulk.run_bulk_query(self.client, "BulkProducts", poll=self.bulk_poll)
        grouped = list(bulk.group_products(bulk.read_jsonl(url)))
        stock = self._online_stock()
        texts = self._translations([p["id"] for p, _ in grouped]) if grouped else {}
        for node, variants in grouped:
            yield to_canonical(
                node, variants, currency=currency, translations=texts.get(node["id"]), stock=stock
            )

    def _online_stock(self) -> dict[str, int]:
        """inventory item gid -> available over locations fulfilling online orders."""
        stock: dict[str, int] = {}
        locations = self.client.execute("Locations")["locations"]["nodes"]
        for loc in locations:
            if not loc["fulfillsOnlineOrders"] or not loc.get("isActive", True):
                continue
            for level in self.client.paginate(
                "InventoryLevelsPage", {"locationId": loc["id"]}, ("location", "inventoryLevels")
            ):
                qty = sum(q["quantity"] for q in level["quantities"] if q["name"] == "available")
                stock[level["item"]["id"]] = stock.get(level["item"]["id"], 0) + qty
        return stock

    def get_product(self, product_id: str) -> dict | None:
        if not product_id.startswith("gid://"):
            product_id = f"gid://shopify/Product/{product_id}"
        node = self.client.execute("ProductById", {"id": product_id})["product"]
        if node is None:
            return None
        texts = self._translations([node["id"]])[node["id"]]
        return to_canonical(
            node,
            self._all_variants(node),
            currency=self.shop_info()["currency"],
            translations=texts,
        )

    def _variants_by_sku(self, skus: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(skus), SKU_BATCH):
            batch = skus[start : start + SKU_BATCH]
            query = " OR ".join(f"sku:{_search_value(s)}" for s in batch)
            # The page size is the batch size: query cost grows with `first`, not with results.
            for node in self.client.paginate(
                "VariantsBySku", {"query": query, "first": len(batch)}, ("productVariants",)
            ):
                if node["sku"] in batch:  # search is fuzzy; only exact SKUs count
                    found.setdefault(node["sku"], node)
        return found

    def get_stock(self, skus: list[str]) -> dict[str, int]:
        from integrations.shopify.products import online_quantity

        return {
            sku: max(0, online_quantity(v) or 0)
            for sku, v in self._variants_by_sku(list(dict.fromkeys(skus))).items()
        }

    # -- orders --------------------------------------------------------------------------------

    def find_order_by_amazon_id(self, amazon_order_id: str) -> CreatedOrder | None:
        query = f"source_identifier:{_search_value(amazon_order_id)}"
        nodes = self.client.execute("OrderBySourceIdentifier", {"query": query})["orders"]["nodes"]
        matches = [n for n in nodes if n.get("sourceIdentifier") == amazon_order_id]
        if not matches:
            return None
        first = min(matches, key=lambda n: int(n["id"].rsplit("/", 1)[-1]))
        return CreatedOrder(
            store_order_id=first["id"], store_order_name=first["name"], already_existed=True
        )

    def create_order(self, draft: dict, *, first_attempt: bool = False) -> CreatedOrder:
        """Look the Amazon order up first (unless a first attempt); create it only if new."""
        amazon_id = draft["amazon_order_id"]
        with self._order_lock(amazon_id):
            existing = None if first_attempt else self.find_order_by_amazon_id(amazon_id)
            if existing is not None:
                return existing
            variants = self._variants_by_sku([line["sku"] for line in draft["lines"]])
            order, options = order_input(draft, {sku: v["id"] for sku, v in variants.items()})
            payload = self.client.execute("OrderCreate", {"order": order, "options": options})
            result = payload["orderCreate"]
            if result["userErrors"] or not result["order"]:
                messages = "; ".join(e["message"] for e in result["userErrors"])
                raise ShopifyError(
                    f"orderCreate refused {amazon_id}: {messages}",
                    codes=tuple(str(e.get("code")) for e in result["userErrors"]),
                )
            created = result["order"]
            return CreatedOrder(store_order_id=created["id"], store_order_name=created["name"])

    @contextlib.contextmanager
    def _order_lock(self, amazon_id: str):
        """Only for a caller holding no lock of its own: the jobs build the adapter without."""
        if self.redis is None:
            yield
            return
        lock = self.redis.lock(
            f"{self.client.key_prefix}:lock:shopify-order:{self.client.shop}:{amazon_id}",
            timeout=120,
            blocking_timeout=130,
        )
        if not lock.acquire():
            raise ShopifyError(f"order {amazon_id} is being created elsewhere", retryable=True)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                lock.release()

    def cancel_order(self, store_order_id: str, reason: str) -> None:
        data = self.client.execute(
            "OrderCancel",
            {
                "orderId": store_order_id,
                "reason": "OTHER",
                "restock": True,
                "notifyCustomer": False,
                "staffNote": reason[:255],
            },
        )
        errors = data["orderCancel"]["orderCancelUserErrors"]
        if errors and not any("already" in e["message"].lower() for e in errors):
            raise ShopifyError("orderCancel refused: " + "; ".join(e["message"] for e in errors))

    def list_fulfilments(self, store_order_id: str) -> list[Fulfilment]:
        order = self.client.execute("OrderFulfillments", {"id": store_order_id})["order"]
        return fulfilments_of(order) if order else []
