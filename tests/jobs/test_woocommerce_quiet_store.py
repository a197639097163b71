"""A stock change on a quiet WooCommerce store (issue 15, WooCommerce item 2). A real store sends
its webhooks through Action Scheduler on WP-Cron, which runs only when the site gets a request
(the captures README, "Webhook delivery: when and why it arrives"); the emulator holds them so
(webhook_delivery=on_traffic). With the Crossport plugin's filter (plugin_sync_delivery) the
change is delivered inside the request that made it and reaches Amazon within seconds; without
it, nothing moves until traffic runs the queue (or the reconciliation sweep, every 15 minutes).
Real workers, the WooCommerce and SP-API emulators over HTTP."""

from __future__ import annotations

import time

from core.db import db
from core.models import Listing, WebhookEvent
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import amazon_quantity
from tests.jobs.test_stock import _published_simple_product

WITHIN_SECONDS = 15  # the plugin's path: delivery at once, then the stock job's own debounce


def _markets(sku: str) -> set[str]:
    return {r.marketplace_id for r in db.session.query(Listing).filter_by(sku=sku, status="active")}


def _on_amazon(world, sku: str, markets: set[str], quantity: int) -> bool:
    return all(amazon_quantity(world, sku).get(m) == quantity for m in markets)


def test_with_the_plugin_a_stock_change_reaches_amazon_within_seconds(world):
    product, sku, _ = _published_simple_product(world)
    markets = _markets(sku)
    world.store.control("config", {"webhook_delivery": "on_traffic", "plugin_sync_delivery": True})
    # when the shop manager saves stock 7 on a store nobody is visiting
    started = time.monotonic()
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 7})
    # then Crossport had the delivery before the save returned, and Amazon shows 7 shortly
    sent = world.store.control("deliveries", method="GET")
    assert [d["run_by"] for d in sent if d["topic"] == "product.updated"] == ["sync"]
    wait_for(
        lambda: _on_amazon(world, sku, markets, 7),
        WITHIN_SECONDS,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )
    assert time.monotonic() - started < WITHIN_SECONDS


def test_without_the_plugin_a_stock_change_waits_for_traffic_on_the_store(world):
    product, sku, _ = _published_simple_product(world)
    markets = _markets(sku)
    world.store.control("config", {"webhook_delivery": "on_traffic"})
    events = db.session.query(WebhookEvent).count()
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 7})
    # nothing reaches Crossport, so Amazon keeps selling the old quantity
    time.sleep(WITHIN_SECONDS / 2)
    db.session.expire_all()
    assert db.session.query(WebhookEvent).count() == events
    assert not any(amazon_quantity(world, sku).get(m) == 7 for m in markets)
    # until a visitor's page view runs WP-Cron
    assert world.store.control("traffic")["released"] >= 1
    wait_for(
        lambda: _on_amazon(world, sku, markets, 7),
        60,
        message=lambda: f"{amazon_quantity(world, sku)}\n{world.worker_logs()[-3000:]}",
    )
