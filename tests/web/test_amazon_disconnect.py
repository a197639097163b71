"""Disconnecting an Amazon account from the page: who may, whose account, what it stops and what
it keeps. The deletion on Amazon, run by a real worker, is in tests/jobs/test_amazon_disconnect.py.
"""

from __future__ import annotations

import json
import threading

from sqlalchemy import text

from core.db import db
from core.models import Alert, AmazonAccount, Listing, Submission, TargetMarketplace, User
from jobs.queues import get_queue
from jobs.tenants import connected_accounts, disconnect_amazon_account
from tests.web.conftest import DE, US, add_order, add_product

CLICKS = 4


def _account(shop) -> AmazonAccount:
    return db.session.query(AmazonAccount).filter_by(shop_id=shop.id).one()


def _give_token(shop, subscription_id: str | None = "sub-alpha") -> AmazonAccount:
    account = _account(shop)
    account.refresh_token, account.subscription_id = "Atzr|seller-token", subscription_id
    db.session.commit()
    return account


def _disconnect(client, bearer, shop, account_id: int, user_id: str = "1"):
    return client.post(f"/amazon/accounts/{account_id}/disconnect", headers=bearer(shop, user_id))


def _unsubscriptions() -> list:
    return [
        j
        for j in get_queue("periodic").get_jobs()
        if j.func_name == "jobs.unsubscribe.unsubscribe_account"
    ]


def test_only_admins_and_owners_may_disconnect(client, shop_a, bearer):
    account = _give_token(shop_a)
    db.session.add(User(shop_id=shop_a.id, platform_user_id="4", role="admin", name="Ada Admin"))
    db.session.commit()
    # viewers and editors are refused, and the account is untouched
    for user_id in ("2", "3"):
        answer = _disconnect(client, bearer, shop_a, account.id, user_id)
        assert answer.status_code == 403
        assert answer.json["required_role"] == "admin"
    assert client.post(f"/amazon/accounts/{account.id}/disconnect").status_code == 401
    db.session.expire_all()
    assert (_account(shop_a).status, _account(shop_a).refresh_token) == (
        "connected",
        "Atzr|seller-token",
    )
    # an admin may
    answer = _disconnect(client, bearer, shop_a, account.id, "4")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["changed"] is True
    assert answer.json["account"]["disconnected_by"] == "Ada Admin"


def test_another_shops_account_is_not_found_and_left_alone(client, shop_a, shop_b, bearer):
    theirs = _give_token(shop_b)
    answer = _disconnect(client, bearer, shop_a, theirs.id)
    assert answer.status_code == 404
    assert answer.json["error"] == "not_found"
    db.session.expire_all()
    theirs = _account(shop_b)
    assert (theirs.status, theirs.refresh_token, theirs.disconnected_at) == (
        "connected",
        "Atzr|seller-token",
        None,
    )
    assert db.session.query(TargetMarketplace).filter_by(shop_id=shop_b.id, enabled=True).count()
    assert _unsubscriptions() == []


def test_disconnecting_erases_the_token_and_queues_the_unsubscription(client, shop_a, bearer):
    account = _give_token(shop_a)
    answer = _disconnect(client, bearer, shop_a, account.id)
    assert answer.status_code == 200
    db.session.expire_all()
    account = _account(shop_a)
    # the account says who disconnected it and when
    assert account.status == "disconnected"
    assert account.disconnected_by == "user 1" and account.disconnected_at is not None
    assert account.status_reason.startswith("Disconnected by user 1 on ")
    # the token is gone from the database itself, not merely hidden by the model
    raw = db.session.execute(
        text("SELECT refresh_token FROM amazon_accounts WHERE id = :id"), {"id": account.id}
    ).scalar_one()
    assert raw is None and account.refresh_token is None
    # the deletion on Amazon is queued with what it needs, not credentials
    (job,) = _unsubscriptions()
    assert job.args == [account.id, "NA", "A1SELLER", "sub-alpha"]
    # and it is in the activity trail
    (alert,) = db.session.query(Alert).filter_by(shop_id=shop_a.id).all()
    assert (alert.kind, alert.severity, alert.resolved_at) == ("amazon_disconnected", "info", None)
    assert alert.details["by"] == "user 1" and alert.details["paused"] == [DE, US]


def test_disconnecting_twice_answers_the_same_and_does_nothing_more(client, shop_a, bearer):
    account = _give_token(shop_a)
    first = _disconnect(client, bearer, shop_a, account.id)
    get_queue("periodic").empty()
    second = _disconnect(client, bearer, shop_a, account.id)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json["changed"], second.json["changed"]) == (True, False)
    assert first.json["account"] == second.json["account"]
    assert db.session.query(Alert).filter_by(shop_id=shop_a.id).count() == 1
    assert _unsubscriptions() == []


def test_clicks_at_once_make_one_disconnection(app, shop_a):
    """Four requests at once, each with its own session and connection to the database file."""
    account_id = _give_token(shop_a).id
    start, answers = threading.Barrier(CLICKS), []

    def click(n: int) -> None:
        with app.app_context():
            start.wait()
            answers.append(disconnect_amazon_account(account_id, f"admin {n}"))
            db.session.remove()

    threads = [threading.Thread(target=click, args=(n,)) for n in range(CLICKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == [False] * (CLICKS - 1) + [True]
    db.session.expire_all()
    assert db.session.query(Alert).filter_by(shop_id=shop_a.id).count() == 1
    assert len(_unsubscriptions()) == 1
    assert _account(shop_a).refresh_token is None


def test_a_revoked_account_can_still_be_disconnected_to_erase_its_token(client, shop_a, bearer):
    # given Amazon refused the seller's token: the account is disconnected, the token kept
    account = _give_token(shop_a)
    account.status, account.status_reason = "disconnected", "invalid_grant"
    db.session.commit()
    # when the seller disconnects it, the token goes and the marketplaces are paused
    answer = _disconnect(client, bearer, shop_a, account.id)
    assert answer.json["changed"] is True
    db.session.expire_all()
    assert _account(shop_a).refresh_token is None
    assert {m.paused for m in _account(shop_a).marketplaces} == {True}


def test_its_scheduled_work_skips_it(client, shop_a, shop_b, bearer):
    account = _give_token(shop_a)
    _give_token(shop_b)
    # given a feed Amazon is still processing for one of its marketplaces
    feed = Submission(shop_id=shop_a.id, kind="feed", marketplace_id=DE, feed_id="F1",
                      status="in_progress")  # fmt: skip
    db.session.add(feed)
    db.session.commit()
    _disconnect(client, bearer, shop_a, account.id)
    db.session.expire_all()
    # order polls, health reports and subscriptions walk connected accounts: not this one
    assert [shop for _account_id, shop in connected_accounts()] == [shop_b.id]
    # listing, price and stock jobs walk enabled marketplaces: its own are paused
    markets = db.session.query(TargetMarketplace).filter_by(shop_id=shop_a.id).all()
    assert {(m.marketplace_id, m.enabled, m.paused) for m in markets} == {
        (US, False, True),
        (DE, False, True),
    }
    # and nobody will poll its feed with a token that is gone
    feed = db.session.get(Submission, feed.id)
    assert feed.status == "cancelled"
    assert feed.report["stopped"] == "the Amazon account was disconnected"


def test_the_page_shows_its_listings_as_disconnected_and_keeps_orders(client, shop_a, bearer):
    account = _give_token(shop_a)
    add_product(shop_a, "Blue vase", "VASE-1", status="active")
    add_product(shop_a, "Red mug", "MUG-1")
    add_order(shop_a, "111-0000000-0000001")
    _disconnect(client, bearer, shop_a, account.id)
    # the onboarding page: the region is disconnected, who did it, and the listings left there
    state = client.get("/api/onboarding", headers=bearer(shop_a)).json
    (na,) = [r for r in state["regions"] if r["region"] == "NA"]
    assert (na["status"], na["connected"], na["disconnected_by"]) == (
        "disconnected",
        False,
        "user 1",
    )
    assert na["disconnect_url"] is None and na["authorize_url"] == "/amazon/authorize?region=NA"
    markets = {m["marketplace_id"]: m for m in state["marketplaces"]}
    assert (markets[US]["paused"], markets[US]["listings_left"]) == (True, 1)
    assert (markets[DE]["paused"], markets[DE]["listings_left"]) == (True, 0)
    # the products page: the listed product shows disconnected there, not active
    products = client.get("/api/products", headers=bearer(shop_a)).json
    assert {m["marketplace_id"]: m.get("disconnected") for m in products["marketplaces"]} == {
        US: True,
        DE: True,
    }
    statuses = {p["title"]: p["statuses"] for p in products["items"]}
    assert statuses["Blue vase"][US] == "disconnected"
    assert statuses["Red mug"][US] == "not_mapped"
    # the listing rows and the order history are kept
    assert db.session.query(Listing).filter_by(shop_id=shop_a.id, status="active").count() == 1
    orders = client.get("/api/orders", headers=bearer(shop_a)).json
    assert [o["amazon_order_id"] for o in orders["items"]] == ["111-0000000-0000001"]


def test_a_paused_marketplace_cannot_be_chosen_until_reconnected(client, shop_a, bearer):
    account = _give_token(shop_a)
    _disconnect(client, bearer, shop_a, account.id)
    market = db.session.query(TargetMarketplace).filter_by(shop_id=shop_a.id, marketplace_id=US)
    answer = client.put(f"/api/marketplaces/{market.one().id}", json={"enabled": True},
                        headers=bearer(shop_a))  # fmt: skip
    assert answer.status_code == 409
    assert answer.json["error"] == "account_disconnected"
    assert "NA" in answer.json["message"]
    db.session.expire_all()
    assert market.one().enabled is False


def test_the_confirmation_speaks_simplified_chinese(client):
    html = client.get("/app/onboarding?locale=zh-CN").get_data(as_text=True)
    assert "您的商品信息将按原样保留在亚马逊上" in html and ">断开连接<" in html
    boot = json.loads(html.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])
    assert boot["strings"]["msg.disconnect_title"] == "要断开亚马逊 {region} 账户的连接吗？"
    assert boot["strings"]["msg.disconnected_by"] == "已由 {who} 于 {when} 断开连接"
