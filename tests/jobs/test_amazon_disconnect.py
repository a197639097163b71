"""The seller disconnects an Amazon account from the page, then connects it again: the route, a
real worker deleting the subscription on the SP-API emulator, the minute's order poll skipping the
account, and the LWA flow bringing it back. Real workers, real emulators over HTTP."""

from __future__ import annotations

import time

import pytest

from core.db import db
from core.models import Alert, AmazonAccount, Listing, TargetMarketplace
from core.redis import get_redis
from integrations.amazon.accounts import shared_tokens
from integrations.amazon.tokens import token_client_class
from jobs.periodic import request_order_import
from jobs.queues import get_queue
from jobs.scheduler import SCHEDULE, tick
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import admin_headers, import_and_map, publish, wait_until_active
from tests.jobs.test_order_notifications import (  # the notifications world, as a fixture here
    _deletions,
    _notified_orders,
    _subscribed_accounts,
    notified,  # noqa: F401
    sqs_server,  # noqa: F401
)
from tests.jobs.test_orders import _place
from tests.support.amazon_connect import connect_region

# Amazon notifies Crossport through the SQS emulator in every test here
pytestmark = pytest.mark.usefixtures("notified")
POLL = next(task for task in SCHEDULE if task.name == "poll-orders")


def _disconnect(world, account_id: int, headers: dict):
    answer = world.app.test_client().post(
        f"/amazon/accounts/{account_id}/disconnect", headers=headers
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def _cached_access_token(world, refresh_token: str) -> str:
    """The Redis key of the seller's LWA access token in the processes' shared cache."""
    settings = world.settings
    key = token_client_class(settings.lwa_token_url).cache_key(
        settings.lwa_client_id, refresh_token
    )
    return shared_tokens().redis_key(key)


def _polled_regions(world) -> list[str]:
    return [call["region"] for call in world.amazon.calls("getOrders")]


def _poll_once(world) -> list[str]:
    """The scheduler's minute poll, run by the worker; returns the regions it asked Amazon."""
    before = len(_polled_regions(world))
    assert tick((POLL,)) == ["poll-orders"]
    wait_for(lambda: len(_polled_regions(world)) >= before + 2, 60, message=world.worker_logs)
    orders = get_queue("orders")
    wait_for(lambda: orders.count == 0 and orders.started_job_registry.count == 0, 60)
    return sorted(set(_polled_regions(world)[before:]))


def test_disconnecting_deletes_the_subscription_on_amazon_and_stops_the_polls(world):
    world.start_workers(1)
    accounts = _subscribed_accounts(world)
    eu = accounts["EU"]
    cached = _cached_access_token(world, eu.refresh_token)
    assert get_redis().exists(cached)  # the subscription calls fetched one
    # when an admin disconnects the EU account from the page
    answer = _disconnect(world, eu.id, admin_headers(world))
    # then the access token Amazon gave for it is dropped from the shared cache at once
    assert not get_redis().exists(cached)
    assert answer["changed"] is True and answer["account"]["status"] == "disconnected"
    # then a worker deletes its subscription on Amazon, by id, with the grantless token
    wait_for(lambda: len(_deletions(world)) == 1, 30, message=world.worker_logs)
    assert [(c["region"], c["caller"], c["status"]) for c in _deletions(world)] == [
        ("EU", "grantless", 200)
    ]
    wait_for(lambda: db.session.get(AmazonAccount, eu.id).subscription_id is None, 10)
    # and NA and FE keep theirs
    kept = {
        a.region: a.subscription_id for a in db.session.query(AmazonAccount) if a.region != "EU"
    }
    assert kept == {r: accounts[r].subscription_id for r in ("NA", "FE")}
    # an order placed in Germany afterwards is not announced to Crossport any more
    amazon_id = _place(world, "DE", "ANY-1")
    time.sleep(1)
    assert amazon_id not in _notified_orders(world)
    # the minute's order poll asks Amazon for NA and FE only
    assert _poll_once(world) == ["FE", "NA"]
    # nothing failed on the way
    for name in ("periodic", "orders"):
        assert get_queue(name).failed_job_registry.count == 0, world.worker_logs()


def test_connecting_the_seller_again_brings_the_account_back(world):
    world.start_workers(1)
    eu = _subscribed_accounts(world)["EU"]
    old_token = eu.refresh_token
    headers = admin_headers(world)
    _disconnect(world, eu.id, headers)
    wait_for(lambda: len(_deletions(world)) == 1, 30, message=world.worker_logs)
    eu_markets = {m for (m,) in db.session.query(TargetMarketplace.marketplace_id).filter_by(
        account_id=eu.id, enabled=False, paused=True)}  # fmt: skip
    assert len(eu_markets) == 5
    # when the seller goes through Amazon's consent again for Europe
    world.amazon.control("POST", "consent", json={"region": "EU", "seller_id": world.seller_id})
    client = world.app.test_client()
    callback = connect_region(client, headers, "EU")
    assert callback.status_code == 200, callback.get_data(as_text=True)
    # then the same row is connected again, with a new token that works
    db.session.expire_all()
    account = db.session.get(AmazonAccount, eu.id)
    assert (account.status, account.status_reason, account.disconnected_at) == (
        "connected",
        "",
        None,
    )
    assert account.refresh_token and account.refresh_token != old_token
    # what the disconnection paused is enabled again, and its record is settled
    resumed = db.session.query(TargetMarketplace).filter_by(account_id=eu.id, enabled=True)
    assert {m.marketplace_id for m in resumed} == eu_markets
    assert not db.session.query(TargetMarketplace).filter_by(paused=True).count()
    (alert,) = db.session.query(Alert).filter_by(kind="amazon_disconnected").all()
    assert alert.resolved_at is not None
    # Amazon notifies for it again, and the minute's poll asks for all three regions
    wait_for(lambda: db.session.get(AmazonAccount, eu.id).subscription_id, 30,
             message=world.worker_logs)  # fmt: skip
    assert _poll_once(world) == ["EU", "FE", "NA"]


def test_a_revocation_seen_by_a_job_pauses_the_accounts_marketplaces_too(world):
    world.start_workers(1)
    eu = db.session.query(AmazonAccount).filter_by(shop_id=world.shop_id, region="EU").one()
    # given the seller revokes Crossport in Seller Central
    world.amazon.control("POST", "revoke", json={"refresh_token": eu.refresh_token})
    # when the next call for that account finds out
    request_order_import(eu.id, world.shop_id)
    wait_for(lambda: db.session.get(AmazonAccount, eu.id).status == "disconnected", 30,
             message=world.worker_logs)  # fmt: skip
    # then listing, price and stock jobs skip its marketplaces, as after a disconnection
    markets = db.session.query(TargetMarketplace).filter_by(shop_id=world.shop_id).all()
    assert {m.country_code for m in markets if m.paused and not m.enabled} == {
        "UK", "DE", "FR", "IT", "ES"}  # fmt: skip
    assert {m.country_code for m in markets if m.enabled} == {"US", "CA", "JP"}


def test_connecting_another_seller_in_a_region_forgets_the_listings_of_the_previous_one(world):
    # given a product published everywhere and each region subscribed to ORDER_CHANGE
    world.start_workers(1)
    snapshots = import_and_map(world)
    product = next(s for s in snapshots if s.product_type == "KITCHEN"
                   and len(s.data["variants"]) == 1)  # fmt: skip
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    sku = product.data["variants"][0]["sku"]
    eu = _subscribed_accounts(world)["EU"]
    old_subscription = eu.subscription_id
    eu_markets = {m.marketplace_id for m in eu.marketplaces}
    listed = {r.marketplace_id: r.status for r in db.session.query(Listing).filter_by(sku=sku)}
    assert eu_markets <= set(listed) and set(listed.values()) == {"active"}
    # when an admin connects Europe with a different Amazon seller account
    other = world.amazon.new_seller(name="Other Seller")
    world.amazon.control("POST", "consent", json={"region": "EU", "seller_id": other["seller_id"]})
    client, headers = world.app.test_client(), admin_headers(world)
    callback = connect_region(client, headers, "EU")
    assert callback.status_code == 200, callback.get_data(as_text=True)
    # the callback page shows which seller was connected; nothing goes there until confirmed
    assert other["seller_id"] in callback.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AmazonAccount, eu.id).status == "unconfirmed"
    assert not db.session.query(TargetMarketplace).filter_by(account_id=eu.id, enabled=True).count()
    confirmed = client.post(f"/amazon/accounts/{eu.id}/confirm", headers=headers,
                            json={"selling_partner_id": other["seller_id"]})  # fmt: skip
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    # then the region's listings are back to their local state, the other regions' untouched
    db.session.expire_all()
    after = {r.marketplace_id: r for r in db.session.query(Listing).filter_by(sku=sku)}
    for marketplace_id, row in after.items():
        if marketplace_id in eu_markets:
            assert (row.status, row.asin, row.payload) == ("ready", None, {}), marketplace_id
        else:
            assert row.status == "active" and row.asin, marketplace_id
    (alert,) = db.session.query(Alert).filter_by(kind="amazon_seller_changed").all()
    assert alert.details["listings"] == len(eu_markets)
    assert alert.details["previous"] == world.seller_id
    # and the previous seller's subscription is deleted, the new seller gets its own
    wait_for(lambda: [d["status"] for d in _deletions(world)] == [200], 30,
             message=world.worker_logs)  # fmt: skip
    account = wait_for(
        lambda: (a := db.session.get(AmazonAccount, eu.id)) and a.subscription_id and a,
        30,
        message=world.worker_logs,
    )
    assert account.selling_partner_id == other["seller_id"]
    assert account.subscription_id != old_subscription
    # stock changes no longer reach the previous seller's European listings
    patches = len(world.amazon.calls("patchListingsItem"))
    world.store.control(f"products/{product.external_id}/stock", {"stock_quantity": 4})
    world.store.wait()
    wait_for(lambda: len(world.amazon.calls("patchListingsItem")) - patches == len(after)
             - len(eu_markets), 60, message=world.worker_logs)  # fmt: skip
    assert all(c["marketplace_ids"] not in eu_markets
               for c in world.amazon.calls("patchListingsItem")[patches:])  # fmt: skip


def test_a_listing_with_only_warnings_goes_back_to_ready_when_the_seller_changes(app):
    """Only an error blocks a listing (as publish decides); a warning such as a description
    that looks to be in another language must not strand it in "problems"."""
    from core.models import Shop
    from integrations.amazon.seller_change import forget_previous_seller

    shop = Shop(platform="woocommerce", domain="https://warn.example", name="warn")
    db.session.add(shop)
    db.session.flush()
    account = AmazonAccount(shop_id=shop.id, region="EU", selling_partner_id="A-OLD",
                            refresh_token="Atzr|old")  # fmt: skip
    db.session.add(account)
    db.session.flush()
    db.session.add(TargetMarketplace(shop_id=shop.id, account_id=account.id,
                                     marketplace_id="A13V1IB3VIYZZH", country_code="FR",
                                     currency="EUR", language="fr_FR", enabled=True))  # fmt: skip
    warned = {"attribute": "product_description", "code": "wrong_language", "severity": "warning"}
    failed = {"attribute": "brand", "code": "missing", "severity": "error"}
    for sku, problems in (("WARN-1", [warned]), ("FAIL-1", [failed])):
        listing = Listing(shop_id=shop.id, sku=sku, marketplace_id="A13V1IB3VIYZZH",
                          status="active", asin="B0TEST", local_problems=problems)  # fmt: skip
        db.session.add(listing)
    db.session.flush()
    assert forget_previous_seller(db.session, account) == 2
    status = {r.sku: r.status for r in db.session.query(Listing).filter_by(shop_id=shop.id)}
    assert status == {"WARN-1": "ready", "FAIL-1": "problems"}
