"""Cost-based throttling: a THROTTLED storm slows Crossport down but loses and doubles nothing."""

from __future__ import annotations

import threading

from core.db import db
from core.models import Shop
from integrations.shopify.adapter import ShopifyStore
from tests.shopify.test_adapter import _draft


def test_throttled_storm_every_order_created_once(installed):
    env, shop = installed
    shop_id = shop.id
    # given: an empty bucket refilling at 200 points/s, and 15 calls throttled whatever happens
    env.control(
        "POST",
        f"/shops/{env.shop}/throttle",
        json={"maximum": 1000, "restore_rate": 200, "available": 0, "storm": 15},
    )
    amazon_ids = [f"305-{n:07d}-0000000" for n in range(10)]
    errors: list = []

    def job(amazon_id):
        with env.app.app_context():
            try:
                adapter = ShopifyStore.for_shop(db.session.get(Shop, shop_id))
                adapter.create_order(_draft(amazon_id, "DEMO-002", qty=1))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=job, args=(a,)) for a in amazon_ids + amazon_ids[:3]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    orders = env.control("GET", f"/shops/{env.shop}")["orders"]
    assert sorted(o["source_identifier"] for o in orders) == sorted(amazon_ids)
    assert len(env.calls(env.shop, kind="throttled")) >= 15


def test_throttled_answer_is_shaped_like_shopify(installed):
    import requests

    env, shop = installed
    env.control("POST", f"/shops/{env.shop}/throttle", json={"restore_rate": 1, "available": 0})
    response = requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/api/2026-07/graphql.json",
        json={"query": "{ shop { name } }"},
        timeout=5,
        headers={"X-Shopify-Access-Token": shop.connection.access_token},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    status = body["extensions"]["cost"]["throttleStatus"]
    assert set(status) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1


def test_server_errors_are_retried_for_queries(installed):
    env, shop = installed
    env.control("POST", "/faults", json={"server_errors": 2})
    adapter = ShopifyStore.for_shop(shop)
    adapter.client.sleep = lambda s: None  # the backoff itself is not under test
    assert adapter.get_stock(["DEMO-002"])["DEMO-002"] >= 0
