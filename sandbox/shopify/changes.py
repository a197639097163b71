"""Changes to a shop's data, from mutations or control endpoints, each announcing its webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sandbox.shopify import payloads
from sandbox.shopify.shapes import complete
from sandbox.shopify.state import EmulatorState, ShopState, now_iso

Emit = Callable[[ShopState, str, dict], None]


def bump(record: dict) -> str:
    """A new updatedAt, strictly later than the previous one (webhook ordering relies on it)."""
    now = datetime.now(UTC).replace(microsecond=0)
    previous = record.get("updatedAt")
    if previous:
        prev = datetime.strptime(previous, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if now <= prev:
            now = prev + timedelta(seconds=1)
    record["updatedAt"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return record["updatedAt"]


class Changes:
    """The one place that writes shop data; every write sends the webhook Shopify would."""

    def __init__(self, state: EmulatorState, emit: Emit):
        self.state = state
        self._emit = emit

    def emit(self, shop: ShopState, topic: str, body: dict) -> None:
        self._emit(shop, topic, complete(topic, body))

    def add_product(self, shop: ShopState, spec: dict, announce: bool = True) -> dict:
        """spec: title, description_html, vendor, product_type, tags, options, images,
        metafields, translations, variants[{sku, barcode, price, compare_at_price, options,
        weight{value,unit}, stock{location_index: qty}, metafields}]."""
        st = self.state
        pid = st.next_id()
        at = now_iso()
        images = [
            {"id": st.next_id(), "url": url, "altText": spec["title"]}
            for url in spec.get("images", [])
        ]
        product = {
            "id": pid,
            "title": spec["title"],
            "handle": spec.get("handle") or spec["title"].lower().replace(" ", "-"),
            "descriptionHtml": spec.get("description_html", ""),
            "vendor": spec.get("vendor", ""),
            "productType": spec.get("product_type", ""),
            "tags": list(spec.get("tags", [])),
            "status": spec.get("status", "ACTIVE"),
            "createdAt": at,
            "updatedAt": at,
            "options": [dict(o) for o in spec.get("options", [])],
            "images": images,
            "metafields": [self._metafield(m) for m in spec.get("metafields", [])],
            "translations": dict(spec.get("translations", {})),
            "variant_ids": [],
        }
        locations = list(shop.locations)
        for position, vs in enumerate(spec.get("variants") or [{}], start=1):
            vid, iid = st.next_id(), st.next_id()
            levels = {loc: 0 for loc in locations}
            for index, qty in (vs.get("stock") or {0: vs.get("quantity", 0)}).items():
                levels[locations[int(index)]] = int(qty)
            shop.items[iid] = {
                "id": iid,
                "variant_id": vid,
                "tracked": True,
                "requiresShipping": True,
                "weight": vs.get("weight"),
                "levels": levels,
                "updatedAt": at,
            }
            shop.variants[vid] = {
                "id": vid,
                "product_id": pid,
                "sku": vs.get("sku", f"SKU-{vid}"),
                "barcode": vs.get("barcode"),
                "price": vs.get("price", "10.00"),
                "compareAtPrice": vs.get("compare_at_price"),
                "position": position,
                "options": dict(vs.get("options", {})),
                "inventory_item_id": iid,
                "image_id": images[vs["image_index"]]["id"] if "image_index" in vs else None,
                "metafields": [self._metafield(m) for m in vs.get("metafields", [])],
                "createdAt": at,
                "updatedAt": at,
            }
            product["variant_ids"].append(vid)
        shop.products[pid] = product
        if announce:
            self.emit(shop, "products/create", payloads.product_payload(shop, product))
        return product

    def _metafield(self, m: dict) -> dict:
        return {
            "id": self.state.next_id(),
            "namespace": m["namespace"],
            "key": m["key"],
            "type": m.get("type", "single_line_text_field"),
            "value": str(m["value"]),
        }

    def update_product(self, shop: ShopState, product_id: int, fields: dict) -> dict:
        product = shop.products[product_id]
        names = {
            "title": "title",
            "description_html": "descriptionHtml",
            "descriptionHtml": "descriptionHtml",
            "vendor": "vendor",
            "status": "status",
            "tags": "tags",
            "product_type": "productType",
            "productType": "productType",
        }
        for key, value in fields.items():
            if key in names and value is not None:
                product[names[key]] = value
        bump(product)
        self.emit(shop, "products/update", payloads.product_payload(shop, product))
        return product

    def update_variant(self, shop: ShopState, variant_id: int, fields: dict) -> dict:
        variant = shop.variants[variant_id]
        names = {
            "price": "price",
            "compare_at_price": "compareAtPrice",
            "compareAtPrice": "compareAtPrice",
            "sku": "sku",
            "barcode": "barcode",
        }
        for key, value in fields.items():
            if key in names:
                variant[names[key]] = value
        bump(variant)
        product = shop.products[variant["product_id"]]
        bump(product)
        self.emit(shop, "products/update", payloads.product_payload(shop, product))
        return variant

    def delete_product(self, shop: ShopState, product_id: int) -> None:
        product = shop.products.pop(product_id)
        for vid in product["variant_ids"]:
            variant = shop.variants.pop(vid, None)
            if variant:
                shop.items.pop(variant["inventory_item_id"], None)
        self.emit(shop, "products/delete", payloads.product_delete_payload(product_id))

    def set_stock(self, shop: ShopState, item_id: int, location_id: int, quantity: int) -> None:
        item = shop.items[item_id]
        item["levels"][location_id] = int(quantity)
        at = bump(item)
        self.emit(
            shop,
            "inventory_levels/update",
            payloads.inventory_level_payload(item_id, location_id, int(quantity), at),
        )

    def adjust_stock(self, shop: ShopState, item_id: int, location_id: int, delta: int) -> None:
        current = shop.items[item_id]["levels"].get(location_id, 0)
        self.set_stock(shop, item_id, location_id, current + int(delta))

    def fulfil(
        self,
        shop: ShopState,
        order_id: int,
        tracking: list[dict],
        lines: list[tuple[int, int]] | None = None,
    ) -> dict:
        """Ship `lines` [(line id, qty)] (default: everything left) with tracking."""
        order = shop.orders[order_id]
        if lines is None:
            lines = [
                (li["id"], li["quantity"] - li["fulfilled"])
                for li in order["lines"]
                if li["quantity"] > li["fulfilled"]
            ]
        by_id = {li["id"]: li for li in order["lines"]}
        for line_id, qty in lines:
            by_id[line_id]["fulfilled"] += qty
        fid = self.state.next_id()
        at = now_iso()
        fulfilment = {
            "id": fid,
            "order_id": order_id,
            "name": f"{order['name']}-F{len(order['fulfillment_ids']) + 1}",
            "status": "SUCCESS",
            "createdAt": at,
            "updatedAt": at,
            "location_id": order["fulfillmentOrder"]["location_id"],
            "lines": lines,
            "tracking": [
                {"company": t.get("company"), "number": t.get("number"), "url": t.get("url")}
                for t in tracking
            ],
        }
        shop.fulfillments[fid] = fulfilment
        order["fulfillment_ids"].append(fid)
        if all(li["fulfilled"] >= li["quantity"] for li in order["lines"]):
            order["fulfillmentOrder"]["status"] = "CLOSED"
        bump(order)
        self.emit(shop, "fulfillments/create", payloads.fulfilment_payload(shop, fulfilment))
        if order["fulfillmentOrder"]["status"] == "CLOSED":
            self.emit(shop, "orders/fulfilled", payloads.order_payload(shop, order))
        return fulfilment

    def cancel_order(self, shop: ShopState, order_id: int, reason: str, restock: bool) -> dict:
        order = shop.orders[order_id]
        order["cancelledAt"] = now_iso()
        order["cancelReason"] = reason
        order["closedAt"] = order["cancelledAt"]
        order["fulfillmentOrder"]["status"] = "CANCELLED"
        if restock and order.get("decremented"):
            for li in order["lines"]:
                variant = shop.variants.get(li.get("variant_id") or 0)
                if variant:
                    self.adjust_stock(
                        shop,
                        variant["inventory_item_id"],
                        order["fulfillmentOrder"]["location_id"],
                        li["quantity"],
                    )
        bump(order)
        self.emit(shop, "orders/cancelled", payloads.order_payload(shop, order))
        return order
