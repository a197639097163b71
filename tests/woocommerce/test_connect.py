"""Connecting a store through the wc-auth key flow, and every way it must be refused."""

from __future__ import annotations

import html
import json
import re

import pytest
import requests
from flask import Flask, redirect
from sqlalchemy import text

from core.db import db
from core.models import ApiCall, AuthState, Shop, StoreConnection
from sandbox.server import serve_in_thread
from tests.woocommerce.conftest import connect_store


def test_connect_end_to_end(crossport, store):
    app, server = crossport
    # when the seller starts from the plugin's button and the store approves
    answer = connect_store(server.url, store)
    # then the browser ends on the store's Crossport page, now showing Crossport in an iframe
    assert answer.status_code == 200
    assert answer.url == f"{store.url}/wp-admin/admin.php?page=crossport"
    assert "crossport-app" in answer.text
    shop = db.session.scalars(db.select(Shop)).one()
    assert (shop.platform, shop.domain) == ("woocommerce", store.url)
    connection = shop.connection
    assert connection.status == "connected"
    assert connection.key_permissions == "read_write"
    keys = store.control("keys", method="GET")
    assert [k["consumer_key"] for k in keys] == [connection.consumer_key]
    # the keys are encrypted at rest
    raw = db.session.execute(text("SELECT consumer_key, consumer_secret FROM store_connections"))
    stored_key, stored_secret = raw.one()
    assert connection.consumer_key not in stored_key
    assert connection.consumer_secret not in stored_secret
    # the webhooks are registered, active, pointing at Crossport, with the connection's secret
    hooks = store.control("webhooks", method="GET")
    assert sorted(h["topic"] for h in hooks) == [
        "order.updated",
        "product.created",
        "product.deleted",
        "product.updated",
    ]
    assert {h["delivery_url"] for h in hooks} == {f"{server.url}/webhooks/woocommerce"}
    assert {h["secret"] for h in hooks} == {connection.webhook_secret}
    assert {h["status"] for h in hooks} == {"active"}
    # the creation pings were answered 200, and the keys were proven by a logged API call
    pings = [d for d in store.control("deliveries", method="GET") if d["topic"] == "ping"]
    assert [p["status"] for p in pings] == [200] * 4
    assert db.session.scalars(db.select(ApiCall).where(ApiCall.status_code == 200)).first()


def test_the_approve_page_asks_before_granting(crossport, store):
    app, server = crossport
    store.control("config", {"auto_approve": False})
    page = connect_store(server.url, store)
    assert page.status_code == 200 and "Approve" in page.text
    assert store.control("keys", method="GET") == []
    assert db.session.scalars(db.select(Shop)).first() is None
    # when the shop manager clicks Approve (a GET link carrying wc_auth_nonce, as the real
    # store's page: captures/wc-auth/approve-callback-200.json), the keys are sent and the
    # store is connected
    approve = _link(page.text, "wc-auth-approve")
    assert (
        approve.startswith(f"{store.url}/wc-auth/v1/access_granted/?")
        and "wc_auth_nonce=" in approve
    )
    approved = requests.get(approve, timeout=30)
    assert approved.status_code == 200
    assert approved.url == f"{store.url}/wp-admin/admin.php?page=crossport"
    db.session.rollback()
    assert db.session.scalars(db.select(Shop)).one().connection.status == "connected"


def _link(page: str, css_class: str) -> str:
    """The href of the approve page's link with that class (the real page's markup)."""
    match = re.search(rf'<a href="([^"]+)" class="[^"]*\b{css_class}\b', page)
    assert match, page
    return html.unescape(match.group(1))


def test_the_approve_link_without_its_nonce_makes_no_key(crossport, store):
    app, server = crossport
    store.control("config", {"auto_approve": False})
    approve = _link(connect_store(server.url, store).text, "wc-auth-approve")
    for forged in (
        re.sub(r"&wc_auth_nonce=[^&]+", "", approve),
        re.sub(r"wc_auth_nonce=[^&]+", "wc_auth_nonce=0123456789", approve),
    ):
        answer = requests.get(forged, timeout=30, allow_redirects=False)
        assert answer.status_code == 401 and "Invalid nonce verification" in answer.text
    assert store.control("keys", method="GET") == []
    assert db.session.scalars(db.select(StoreConnection)).first() is None


def _callback(server, nonce: str, key: dict) -> requests.Response:
    body = {
        "key_id": key["key_id"],
        "user_id": nonce,
        "consumer_key": key["consumer_key"],
        "consumer_secret": key["consumer_secret"],
        "key_permissions": "read_write",
    }
    return requests.post(
        f"{server.url}/woocommerce/callback",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )


def _start(server, store) -> str:
    answer = requests.get(
        f"{server.url}/woocommerce/connect",
        params={"store_url": store.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"{store.url}/wc-auth/v1/authorize?")
    return db.session.scalars(db.select(AuthState)).one().nonce


def test_a_callback_with_a_wrong_nonce_is_refused(crossport, store):
    app, server = crossport
    _start(server, store)
    answer = _callback(server, "guessed-nonce", store.key())
    assert answer.status_code == 403
    assert db.session.scalars(db.select(StoreConnection)).first() is None


def test_a_replayed_callback_is_refused(crossport, store):
    app, server = crossport
    nonce = _start(server, store)
    first = _callback(server, nonce, store.key())
    assert first.status_code == 200
    replay = _callback(server, nonce, store.key())
    assert replay.status_code == 403
    assert len(db.session.scalars(db.select(Shop)).all()) == 1


def test_a_refused_callback_makes_the_store_delete_the_key(crossport, store):
    app, server = crossport
    # the emulator posts the keys with a nonce Crossport never issued
    url = (
        f"{store.url}/wc-auth/v1/authorize?app_name=Crossport&scope=read_write&user_id=forged"
        f"&return_url={server.url}/woocommerce/return"
        f"&callback_url={server.url}/woocommerce/callback"
    )
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 401
    assert store.control("keys", method="GET") == []


@pytest.mark.parametrize(
    "store_url",
    [
        "http://store.example",
        "https://127.0.0.1",
        "https://10.0.0.5",
        "https://localhost",
        "https://[::1]:8443",
        "https://169.254.169.254",
    ],
)
def test_unsafe_store_urls_are_refused_before_any_key_is_requested(crossport, store, store_url):
    app, server = crossport
    answer = requests.get(
        f"{server.url}/woocommerce/connect",
        params={"store_url": store_url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 400
    assert db.session.scalars(db.select(AuthState)).first() is None


@pytest.mark.parametrize("target", ["https://10.0.0.5", "loopback-emulator"])
def test_a_redirect_to_a_private_address_is_refused(app_factory, store, target):
    # given a store URL that is allowed (a sandbox host) but redirects elsewhere
    bouncer = Flask("bouncer")
    where = store.url if target == "loopback-emulator" else target

    @bouncer.get("/wp-json/")
    def index():
        return redirect(f"{where}/wp-json/", 301)

    running = serve_in_thread(bouncer)
    try:
        app = app_factory(woocommerce_sandbox_hosts=(running.url.split("//")[1],))
        with app.app_context():
            answer = app.test_client().get(
                "/woocommerce/connect", query_string={"store_url": running.url}
            )
            assert answer.status_code == 400
            assert db.session.scalars(db.select(AuthState)).first() is None
            db.session.remove()
    finally:
        running.stop()
    # and the emulator behind the redirect never saw a key request
    assert not [c for c in store.control("calls", method="GET")]
    assert store.control("keys", method="GET") == []


def test_denying_on_the_approve_page_connects_nothing(crossport, store):
    app, server = crossport
    store.control("config", {"auto_approve": False})
    page = connect_store(server.url, store)
    # Deny is a plain link to return_url?success=0&user_id=...: the store is not asked
    calls = len(store.control("calls", method="GET"))
    deny = _link(page.text, "wc-auth-deny")
    assert deny.startswith(f"{server.url}/woocommerce/return?") and "success=0" in deny
    answer = requests.get(deny, timeout=30)
    assert len(store.control("calls", method="GET")) == calls
    assert answer.url.startswith(f"{server.url}/woocommerce/return?success=0")
    assert answer.status_code == 400
    assert store.control("keys", method="GET") == []
    assert db.session.scalars(db.select(StoreConnection)).first() is None
