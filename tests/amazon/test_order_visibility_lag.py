"""The emulator's getOrders can lag an order's ORDER_CHANGE notification, as Amazon's does: an
order placed with visible_after_seconds is announced at once and listed only that much later."""

from __future__ import annotations

import time

import pytest
import requests

from integrations.amazon import notifications, orders

from .conftest import EU_DE

SINCE = "2020-01-01T00:00:00Z"


def _listed(client) -> set[str]:
    read = orders.iter_orders(client, [EU_DE], last_updated_after=SINCE)
    return {order["AmazonOrderId"] for kind, order in read if kind == "order"}


def _place(emulator, seller, **extra) -> str:
    body = {"seller_id": seller["seller_id"], "marketplace_id": EU_DE,
            "items": [{"sku": "TEE-1", "price": "19.90"}], **extra}  # fmt: skip
    return emulator.control("POST", "orders", json=body)["AmazonOrderId"]


def test_an_order_is_notified_at_once_and_listed_after_its_lag(emulator, seller, eu_client):
    arn = "arn:aws:sqs:eu-west-1:123456789012:crossport"
    destination = notifications.ensure_destination(eu_client, "crossport", arn)
    notifications.ensure_subscription(eu_client, "ORDER_CHANGE", destination)
    # given an order Amazon lists 1.5 s after announcing it, and one without lag
    lagging = _place(emulator, seller, visible_after_seconds=1.5)
    placed_at = time.monotonic()
    prompt = _place(emulator, seller)
    # then the notification of each is published at once
    announced = {n["body"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"]
                 for n in emulator.control("GET", "notifications")["notifications"]}  # fmt: skip
    assert announced == {lagging, prompt}
    # and getOrders (through the production client) shows the lagging one only after its lag
    assert _listed(eu_client) == {prompt}
    assert time.monotonic() - placed_at < 1.5, "the machine was too slow to see the lag"
    time.sleep(max(0.0, 1.6 - (time.monotonic() - placed_at)))
    assert _listed(eu_client) == {lagging, prompt}
    # and the control view does not show the emulator's own bookkeeping
    assert "visible_at" not in emulator.control("GET", f"orders/{lagging}")


@pytest.mark.parametrize("value", [-1, "soon", 3601])
def test_a_bad_lag_is_refused_with_its_name(emulator, seller, value):
    response = requests.post(f"{emulator.url}/_sandbox/orders", timeout=10, json={
        "seller_id": seller["seller_id"], "marketplace_id": EU_DE,
        "items": [{"sku": "TEE-1"}], "visible_after_seconds": value})  # fmt: skip
    assert response.status_code == 400
    assert "visible_after_seconds must be 0 to 3600 seconds" in response.text
