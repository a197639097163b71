"""The mutations the emulator executes: orders, fulfilments, webhooks, inventory, products, bulk."""

from __future__ import annotations

from sandbox.shopify.admin_views import subscription_view
from sandbox.shopify.order_create import create_order
from sandbox.shopify.state import gid, gid_number, now_iso


class Mutations:
    """Mutation root fields for one request; `r` is that request's Resolvers."""

    def __init__(self, r):
        self.r = r
        self.shop = r.shop
        self.changes = r.changes
        self.catalog = r.catalog
        self.orders = r.orders
        self.bulk_runner = r.bulk_runner

    def root(self) -> dict:
        return {
            "orderCreate": self.order_create,
            "orderCancel": self.order_cancel,
            "fulfillmentCreate": self.fulfillment_create,
            "webhookSubscriptionCreate": self.subscription_create,
            "webhookSubscriptionDelete": self.subscription_delete,
            "inventorySetQuantities": self.inventory_set,
            "inventoryAdjustQuantities": self.inventory_adjust,
            "productUpdate": self.product_update,
            "bulkOperationRunQuery": self.bulk_run,
        }

    def order_create(self, info, order, options=None):
        record, errors = create_order(self.changes, self.shop, order, options)
        return {"order": self.orders.order(record) if record else None, "userErrors": errors}

    def order_cancel(
        self,
        info,
        orderId,
        restock,
        reason,
        refund=None,
        refundMethod=None,
        notifyCustomer=None,
        staffNote=None,
    ):
        number = gid_number(orderId)
        order = self.shop.orders.get(number)
        if order is None or order["cancelledAt"]:
            message = "Order not found" if order is None else "Order has already been cancelled"
            err = {
                "field": ["orderId"],
                "message": message,
                "code": "NOT_FOUND" if order is None else "INVALID",
            }
            return {
                "job": None,
                "orderCancelUserErrors": [err],
                "userErrors": [{"field": err["field"], "message": message}],
            }
        self.changes.cancel_order(self.shop, number, reason, restock)
        if notifyCustomer:  # orderCancel(notifyCustomer: Boolean = false), the 2026-07 schema
            self.shop.email_customer(order, "order_cancelled")
        return {
            "job": {"id": gid("Job", self.changes.state.next_id()), "done": True},
            "orderCancelUserErrors": [],
            "userErrors": [],
        }

    def fulfillment_create(self, info, fulfillment, message=None):
        lines = []
        order_id = None
        for group in fulfillment["lineItemsByFulfillmentOrder"]:
            fo_id = gid_number(group["fulfillmentOrderId"])
            order = next(
                (o for o in self.shop.orders.values() if o["fulfillmentOrder"]["id"] == fo_id), None
            )
            if order is None or order["fulfillmentOrder"]["status"] != "OPEN":
                return {
                    "fulfillment": None,
                    "userErrors": [
                        {
                            "field": ["fulfillment"],
                            "message": "Fulfillment order does not exist or is not open.",
                        }
                    ],
                }
            order_id = order["id"]
            wanted = {
                gid_number(x["id"]): x["quantity"]
                for x in group.get("fulfillmentOrderLineItems") or []
            }
            for li in order["lines"]:
                left = li["quantity"] - li["fulfilled"]
                qty = min(wanted.get(li["id"], left), left) if wanted else left
                if qty > 0 and (not wanted or li["id"] in wanted):
                    lines.append((li["id"], qty))
        tracking_in = fulfillment.get("trackingInfo") or {}
        numbers = tracking_in.get("numbers") or (
            [tracking_in["number"]] if tracking_in.get("number") else []
        )
        urls = tracking_in.get("urls") or ([tracking_in["url"]] if tracking_in.get("url") else [])
        tracking = [
            {
                "company": tracking_in.get("company"),
                "number": n,
                "url": urls[i] if i < len(urls) else None,
            }
            for i, n in enumerate(numbers)
        ]
        record = self.changes.fulfil(self.shop, order_id, tracking, lines)
        if fulfillment.get("notifyCustomer"):  # FulfillmentInput.notifyCustomer, default false
            self.shop.email_customer(self.shop.orders[order_id], "shipping_confirmation")
        return {"fulfillment": self.orders.fulfilment(record), "userErrors": []}

    def subscription_create(self, info, topic, webhookSubscription):
        uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
        if not uri:
            return {
                "webhookSubscription": None,
                # the field Shopify names is callbackUrl even when uri was sent (capture
                # 2026-04.webhook-subscription-conformance, validation.createMissingUri)
                "userErrors": [
                    {
                        "field": ["webhookSubscription", "callbackUrl"],
                        "message": "Address can't be blank",
                    }
                ],
            }
        if any(s["topic"] == topic and s["uri"] == uri for s in self.shop.subscriptions.values()):
            return {
                "webhookSubscription": None,
                "userErrors": [
                    {
                        "field": ["webhookSubscription", "callbackUrl"],
                        "message": "Address for this topic has already been taken",
                    }
                ],
            }
        sid = self.changes.state.next_id()
        at = now_iso()
        self.shop.subscriptions[sid] = {
            "id": sid,
            "topic": topic,
            "uri": uri,
            "format": webhookSubscription.get("format") or "JSON",
            "includeFields": webhookSubscription.get("includeFields") or [],
            "filter": webhookSubscription.get("filter"),
            "createdAt": at,
            "updatedAt": at,
        }
        return {
            "webhookSubscription": subscription_view(self.shop.subscriptions[sid]),
            "userErrors": [],
        }

    def subscription_delete(self, info, id):
        number = gid_number(id)
        if self.shop.subscriptions.pop(number, None) is None:
            return {
                "deletedWebhookSubscriptionId": None,
                "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
            }
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}

    def inventory_set(self, info, input):
        return self._inventory(input, input["quantities"], setting=True)

    def inventory_adjust(self, info, input):
        return self._inventory(input, input["changes"], setting=False)

    def _inventory(self, input, rows, setting: bool):
        if input["name"] not in ("available", "on_hand"):
            return {
                "inventoryAdjustmentGroup": None,
                "userErrors": [
                    {
                        "field": ["input", "name"],
                        "message": "The quantity name must be either 'available' or 'on_hand'.",
                        "code": "INVALID_NAME",
                    }
                ],
            }
        shop = self.shop
        if setting:
            refused = _quantity_bounds(input["name"], rows)
            if refused is not None:
                return {"inventoryAdjustmentGroup": None, "userErrors": [refused]}
        for row in rows:
            item_id, loc_id = gid_number(row["inventoryItemId"]), gid_number(row["locationId"])
            if item_id not in shop.items or loc_id not in shop.locations:
                return {
                    "inventoryAdjustmentGroup": None,
                    "userErrors": [
                        {
                            "field": ["input"],
                            "message": "The specified inventory item could not be found.",
                            "code": "INVALID_INVENTORY_ITEM",
                        }
                    ],
                }
            expected = row.get("changeFromQuantity")
            if expected is not None and shop.items[item_id]["levels"].get(loc_id, 0) != expected:
                return {
                    "inventoryAdjustmentGroup": None,
                    "userErrors": [
                        {
                            "field": ["input"],
                            "code": "CHANGE_FROM_QUANTITY_STALE",
                            "message": "The specified compare quantity does not match the current "
                            "quantity.",
                        }
                    ],
                }
        for row in rows:
            item_id, loc_id = gid_number(row["inventoryItemId"]), gid_number(row["locationId"])
            if setting:
                self.changes.set_stock(shop, item_id, loc_id, row["quantity"])
            else:
                self.changes.adjust_stock(shop, item_id, loc_id, row["delta"])
        group = {
            "id": gid("InventoryAdjustmentGroup", self.changes.state.next_id()),
            "createdAt": now_iso(),
            "reason": input["reason"],
            "referenceDocumentUri": input.get("referenceDocumentUri"),
            "changes": lambda info, **_: [],
        }
        return {"inventoryAdjustmentGroup": group, "userErrors": []}

    def product_update(self, info, product=None, input=None, media=None, identifier=None):
        fields = product or input or {}
        number = gid_number(fields.get("id") or "0")
        if number not in self.shop.products:
            return {
                "product": None,
                "userErrors": [{"field": ["id"], "message": "Product does not exist"}],
            }
        record = self.changes.update_product(self.shop, number, fields)
        return {"product": self.catalog.product(record), "userErrors": []}

    def bulk_run(self, info, query, groupObjects=False):
        return self.bulk_runner(self.shop, query)


MIN_QUANTITY = -1_000_000_000


def _quantity_bounds(name: str, rows: list[dict]) -> dict | None:
    """inventorySetQuantities' bounds as captured (2026-04.inventorySetQuantities-quantity-bounds):
    on_hand may not be negative, available not below -1,000,000,000; the error names the row
    by its index, as a string, in `field`."""
    for index, row in enumerate(rows):
        field = ["input", "quantities", str(index), "quantity"]
        if name == "on_hand" and row["quantity"] < 0:
            return {
                "field": field,
                "message": "The quantity can't be negative.",
                "code": "INVALID_QUANTITY_NEGATIVE",
            }
        if row["quantity"] < MIN_QUANTITY:
            return {
                "field": field,
                "message": "The quantity can't be lower than -1,000,000,000.",
                "code": "INVALID_QUANTITY_TOO_LOW",
            }
    return None
