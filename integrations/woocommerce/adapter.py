"""The WooCommerce implementation of integrations.store.StoreAdapter, over the wc/v3 REST API.

Finding an order by its Amazon order id: WooCommerce core REST has no meta query and its order
`search` only looks at ids, addresses, e-mail and item names (legacy and HPOS storage alike), so
the adapter pages through orders created since the Amazon purchase date less a day (or, when
no date is known, in the last `lookback_days`) with `after=` and `_fields` trimmed, and matches
the `_crossport_amazon_order_id` meta. That lookup is the safety net behind the database's
OrderLink unique key. The jobs hold the one lock per Amazon order (jobs/orders.py) and build the
adapter without a Redis; a caller holding no lock of its own may give one, and `create_order`
then holds a Redis lock per Amazon order while it looks and creates. Unless the caller vouches
for a first attempt under its lock, it re-reads after creating: if two orders carry the same
Amazon id (two importers without a shared lock), the older one is kept and the newer one is
cancelled (restoring stock) and deleted, so the store converges to exactly one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from integrations.store import CreatedOrder, Fulfilment
from integrations.woocommerce.client import WooApiError, WooClient
from integrations.woocommerce.orders import AMAZON_ID_KEY, fulfilments_of, meta_value, order_payload
from integrations.woocommerce.products import StoreUnits, quantity_of, to_canonical

log = logging.getLogger("crossport.woocommerce")
SKU_BATCH = 40


class WooCommerceAdapter:
    """One WooCommerce store, as the jobs see it; credentials live in `client`."""

    def __init__(
        self,
        client: WooClient,
        *,
        redis=None,
        units: StoreUnits | None = None,
        lookback_days: int = 60,
        lock_timeout: int = 120,
    ) -> None:
        self.client = client
        self.redis = redis
        self._units = units
        self.lookback_days = lookback_days
        self.lock_timeout = lock_timeout

    # -- store settings ------------------------------------------------------------------
    @property
    def units(self) -> StoreUnits:
        if self._units is None:

            def setting(group: str, option: str, default: str) -> str:
                try:
                    return str(
                        self.client.get(f"settings/{group}/{option}").get("value") or default
                    )
                except WooApiError:
                    return default

            self._units = StoreUnits(
                currency=setting("general", "woocommerce_currency", "USD"),
                weight_unit=setting("products", "woocommerce_weight_unit", "kg"),
                dimension_unit=setting("products", "woocommerce_dimension_unit", "cm"),
            )
        return self._units

    # -- products ------------------------------------------------------------------------
    def _variations(self, product: dict) -> list[dict]:
        if product.get("type") != "variable":
            return []
        return list(self.client.paginate(f"products/{product['id']}/variations"))

    def iter_products(self, updated_since: str | None = None) -> Iterator[dict]:
        params = {"orderby": "id", "order": "asc"}
        if updated_since:
            params.update(modified_after=_wc_date(updated_since), dates_are_gmt=True)
        for product in self.client.paginate("products", **params):
            if product.get("type") in ("simple", "variable"):
                yield to_canonical(product, self._variations(product), self.units)

    def get_product(self, product_id: str) -> dict | None:
        try:
            product = self.client.get(f"products/{int(product_id)}")
        except WooApiError as exc:
            if exc.status == 404:
                return None
            raise
        if product.get("type") == "variation":
            return self.get_product(str(product.get("parent_id")))
        return to_canonical(product, self._variations(product), self.units)

    def get_stock(self, skus: list[str]) -> dict[str, int]:
        wanted = [s for s in dict.fromkeys(skus) if s]
        stock: dict[str, int] = {}
        parents: dict[int, dict] = {}
        for start in range(0, len(wanted), SKU_BATCH):
            batch = wanted[start : start + SKU_BATCH]
            # `sku=a,b,c` also matches variations (WooCommerce queries both post types).
            for item in self.client.paginate("products", sku=",".join(batch)):
                parent = None
                if item.get("manage_stock") == "parent" and item.get("parent_id"):
                    pid = int(item["parent_id"])
                    parents.setdefault(pid, self.client.get(f"products/{pid}"))
                    parent = parents[pid]
                if item.get("sku") in batch:
                    stock[item["sku"]] = quantity_of(item, parent, self.units)
        return stock

    # -- orders --------------------------------------------------------------------------
    def _orders_with_amazon_id(self, amazon_order_id: str, since: str | None = None) -> list[dict]:
        after = datetime.now(UTC) - timedelta(days=self.lookback_days)
        if since:
            # The store order was created after the Amazon purchase: scan only since then
            # (a day earlier, for clocks and time zones).
            purchased = datetime.fromisoformat(since.replace("Z", "+00:00"))
            purchased = purchased if purchased.tzinfo else purchased.replace(tzinfo=UTC)
            after = max(after, purchased.astimezone(UTC) - timedelta(days=1))
        found = []
        for order in self.client.paginate(
            "orders",
            after=after.strftime("%Y-%m-%dT%H:%M:%S"),
            orderby="id",
            order="desc",
            dates_are_gmt=True,
            _fields="id,number,status,meta_data",
        ):
            if (
                meta_value(order, AMAZON_ID_KEY) == amazon_order_id
                and order.get("status") != "trash"
            ):
                found.append(order)
        return sorted(found, key=lambda o: int(o["id"]))

    def find_order_by_amazon_id(
        self, amazon_order_id: str, purchase_date: str | None = None
    ) -> CreatedOrder | None:
        found = self._orders_with_amazon_id(amazon_order_id, purchase_date)
        if not found:
            return None
        first = found[0]
        return CreatedOrder(str(first["id"]), str(first.get("number") or first["id"]), True)

    def _lock(self, amazon_order_id: str):
        if self.redis is None:
            return contextlib.nullcontext()
        name = f"lock:woocommerce:create-order:{self.client.base_url}:{amazon_order_id}"
        return self.redis.lock(name, timeout=self.lock_timeout, blocking_timeout=self.lock_timeout)

    def create_order(self, draft: dict, *, first_attempt: bool = False) -> CreatedOrder:
        amazon_id = draft["amazon_order_id"]
        with self._lock(amazon_id) as lock:
            # WooCommerce cannot filter orders by meta: the lookup and the convergence check
            # each page through every order since the purchase. A first attempt needs neither,
            # as long as a lock was held throughout (else another importer may have entered):
            # the caller's (no lock here), or this adapter's, if still owned.
            if not first_attempt:
                existing = self.find_order_by_amazon_id(amazon_id, draft.get("purchase_date"))
                if existing is not None:
                    return existing
            created = self.client.post("orders", order_payload(draft))
            if draft.get("note"):
                self.client.post(
                    f"orders/{created['id']}/notes", {"note": draft["note"], "customer_note": False}
                )
            if first_attempt and (lock is None or lock.owned()):
                return CreatedOrder(str(created["id"]), str(created.get("number") or created["id"]))
            return self._converge(amazon_id, created, draft.get("purchase_date"))

    def _converge(self, amazon_id: str, created: dict, purchase_date: str | None) -> CreatedOrder:
        """Keep the oldest order for this Amazon id; undo ours if another importer was first."""
        found = self._orders_with_amazon_id(amazon_id, purchase_date)
        keeper = found[0] if found else created
        if int(keeper["id"]) == int(created["id"]):
            return CreatedOrder(str(created["id"]), str(created.get("number") or created["id"]))
        log.warning("duplicate store order %s for %s removed", created["id"], amazon_id)
        self.client.put(f"orders/{created['id']}", {"status": "cancelled"})
        self.client.delete(f"orders/{created['id']}", force=True)
        return CreatedOrder(str(keeper["id"]), str(keeper.get("number") or keeper["id"]), True)

    def cancel_order(self, store_order_id: str, reason: str) -> None:
        order = self.client.get(f"orders/{int(store_order_id)}")
        if order.get("status") in ("cancelled", "refunded", "trash"):
            return
        if order.get("status") == "completed" or fulfilments_of(order):
            self.client.post(
                f"orders/{order['id']}/notes",
                {"note": f"{reason}, but it was already shipped: not cancelled by Crossport."},
            )
            return
        self.client.put(f"orders/{order['id']}", {"status": "cancelled"})
        # the note is the caller's reason as it stands ("Cancelled on Amazon"), not wrapped again
        self.client.post(f"orders/{order['id']}/notes", {"note": reason})

    def set_status(self, store_order_id: str, status: str) -> None:
        """Move an order to a WooCommerce status (completed, cancelled, on-hold, ...)."""
        self.client.put(f"orders/{int(store_order_id)}", {"status": status})

    def add_note(self, store_order_id: str, note: str) -> None:
        """A private order note for the shop manager."""
        self.client.post(f"orders/{int(store_order_id)}/notes", {"note": note})

    def list_fulfilments(self, store_order_id: str) -> list[Fulfilment]:
        return fulfilments_of(self.client.get(f"orders/{int(store_order_id)}"))


def _wc_date(iso: str) -> str:
    """ISO 8601 (any zone) -> WooCommerce's UTC 'YYYY-MM-DDTHH:MM:SS' (with dates_are_gmt)."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")
