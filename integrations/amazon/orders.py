"""Orders v0: find new and changed orders, read items, read PII with a Restricted Data Token,
and confirm shipments."""

from __future__ import annotations

from collections.abc import Iterator

from sp_api.api import Orders, Tokens

from .client import SpApiClient

MAX_MARKETPLACES = 50  # getOrders takes up to 50 MarketplaceIds in one call
ORDERS_PATH = "/orders/v0/orders"
BUYER_DATA_ELEMENTS = ("buyerInfo", "shippingAddress")


def _api(client: SpApiClient, marketplace_id: str, rdt: str | None = None):
    return client.api(Orders, marketplace_id, version="v0", restricted_data_token=rdt)


def iter_orders(client: SpApiClient, marketplace_ids: list[str], *,
                last_updated_after: str | None = None, created_after: str | None = None,
                statuses: list[str] | None = None,
                with_buyer_data: bool = False) -> Iterator[dict]:  # fmt: skip
    """Every order changed (or created) since a moment, across marketplaces, page by page.

    Yields ("order", order) for each order and finally ("checkpoint", LastUpdatedBefore) so the
    caller can store how far Amazon's answer was complete.

    with_buyer_data: read the pages with a Restricted Data Token naming the shippingAddress and
    buyerInfo data elements, so each seller-fulfilled order arrives with its address and buyer:
    one token per poll instead of three calls per order (an RDT, getOrderAddress and
    getOrderBuyerInfo), which share nothing with getOrderItems' budget but each pace an import.
    """
    if bool(last_updated_after) == bool(created_after):
        raise ValueError("give exactly one of last_updated_after and created_after")
    for start in range(0, len(marketplace_ids), MAX_MARKETPLACES):
        chunk = marketplace_ids[start : start + MAX_MARKETPLACES]
        rdt = None
        if with_buyer_data:
            rdt = restricted_data_token(
                client, chunk[0], [ORDERS_PATH], data_elements=BUYER_DATA_ELEMENTS
            )
        api = _api(client, chunk[0], rdt)
        params: dict = {"MarketplaceIds": ",".join(chunk)}
        if last_updated_after:
            params["LastUpdatedAfter"] = last_updated_after
        else:
            params["CreatedAfter"] = created_after
        if statuses:
            params["OrderStatuses"] = ",".join(statuses)
        while True:
            payload = client.call(
                "getOrders", lambda p=dict(params), a=api: a.get_orders(**p)
            ).payload
            for order in payload.get("Orders", []):
                yield "order", order
            token = payload.get("NextToken")
            if not token:
                mark = payload.get("LastUpdatedBefore") or payload.get("CreatedBefore")
                if mark:
                    yield "checkpoint", mark
                break
            params = {"MarketplaceIds": ",".join(chunk), "NextToken": token}


def get_order(client: SpApiClient, marketplace_id: str, order_id: str) -> dict:
    api = _api(client, marketplace_id)
    return dict(client.call("getOrder", lambda: api.get_order(order_id),
                            marketplace_id=marketplace_id).payload)  # fmt: skip


def get_order_items(client: SpApiClient, marketplace_id: str, order_id: str) -> list[dict]:
    api = _api(client, marketplace_id)
    items: list[dict] = []
    params: dict = {}
    while True:
        payload = client.call("getOrderItems",
                              lambda p=dict(params): api.get_order_items(order_id, **p),
                              marketplace_id=marketplace_id).payload  # fmt: skip
        items += payload.get("OrderItems", [])
        if not payload.get("NextToken"):
            return items
        params = {"NextToken": payload["NextToken"]}


def restricted_data_token(
    client: SpApiClient,
    marketplace_id: str,
    paths: list[str],
    data_elements: tuple[str, ...] = (),
) -> str:
    """A Restricted Data Token for GET on these paths (buyer address and name)."""
    api = client.api(Tokens, marketplace_id)
    resources = [{"method": "GET", "path": path} for path in paths]
    if data_elements:  # getOrders/getOrder: which restricted parts of the orders to include
        for resource in resources:
            resource["dataElements"] = list(data_elements)
    payload = client.call("createRestrictedDataToken",
                          lambda: api.create_restricted_data_token(restrictedResources=resources),
                          marketplace_id=marketplace_id).payload  # fmt: skip
    return payload["restrictedDataToken"]


def get_order_pii(client: SpApiClient, marketplace_id: str, order_id: str) -> tuple[dict, dict]:
    """(shipping address, buyer info) of one order, read with one RDT; keep only what is needed."""
    address_path = f"/orders/v0/orders/{order_id}/address"
    buyer_path = f"/orders/v0/orders/{order_id}/buyerInfo"
    rdt = restricted_data_token(client, marketplace_id, [address_path, buyer_path])
    api = _api(client, marketplace_id, rdt)
    address = client.call("getOrderAddress", lambda: api.get_order_address(order_id),
                          marketplace_id=marketplace_id).payload  # fmt: skip
    buyer = client.call("getOrderBuyerInfo", lambda: api.get_order_buyer_info(order_id),
                        marketplace_id=marketplace_id).payload  # fmt: skip
    return dict(address.get("ShippingAddress") or {}), dict(buyer)


def confirm_shipment(client: SpApiClient, marketplace_id: str, order_id: str, *,
                     package_reference: str, carrier_code: str, tracking_number: str,
                     ship_date: str, items: list[dict], carrier_name: str | None = None,
                     shipping_method: str | None = None) -> None:  # fmt: skip
    """Tell Amazon an MFN order (or part of it) shipped; items: [{orderItemId, quantity}]."""
    package = {"packageReferenceId": package_reference, "carrierCode": carrier_code,
               "trackingNumber": tracking_number, "shipDate": ship_date,
               "orderItems": [{"orderItemId": i["orderItemId"], "quantity": int(i["quantity"])}
                              for i in items]}  # fmt: skip
    if carrier_name:
        package["carrierName"] = carrier_name
    if shipping_method:
        package["shippingMethod"] = shipping_method
    api = _api(client, marketplace_id)
    client.call("confirmShipment", lambda: api.confirm_shipment(
        order_id, marketplaceId=marketplace_id, packageDetail=package),
        marketplace_id=marketplace_id)  # fmt: skip
