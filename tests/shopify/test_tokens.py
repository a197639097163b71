"""Expiring offline tokens: refreshed once for all concurrent workers, saved before use."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from core.db import db, utcnow
from core.models import Shop, StoreConnection
from integrations.shopify.adapter import ShopifyStore


def _run_jobs(env, shop_id: int, count: int = 4) -> list:
    """`count` jobs at once, each in its own thread with its own app context and adapter."""
    results: list = []
    barrier = threading.Barrier(count)

    def job():
        with env.app.app_context():
            adapter = ShopifyStore.for_shop(db.session.get(Shop, shop_id))
            barrier.wait()
            try:
                results.append(adapter.get_stock(["DEMO-002"]))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=job) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _refreshes(env) -> int:
    return len([c for c in env.calls(env.shop, kind="token") if c["grant_type"] == "refresh_token"])


def _connection(shop_id: int) -> StoreConnection:
    db.session.expire_all()
    return db.session.query(StoreConnection).filter_by(shop_id=shop_id).one()


def test_token_revoked_by_shopify_while_four_jobs_run_is_refreshed_exactly_once(installed):
    env, shop = installed
    old = _connection(shop.id).access_token
    # given: Shopify considers the token expired, our database does not know yet
    env.control("POST", f"/shops/{env.shop}/tokens/expire")
    results = _run_jobs(env, shop.id)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert _refreshes(env) == 1
    conn = _connection(shop.id)
    assert conn.access_token != old and conn.token_expires_at > utcnow() + timedelta(minutes=50)


def test_token_about_to_expire_is_refreshed_once_before_use(installed):
    env, shop = installed
    conn = _connection(shop.id)
    conn.token_expires_at = utcnow() + timedelta(minutes=1)
    db.session.commit()
    results = _run_jobs(env, shop.id)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert _refreshes(env) == 1


def test_previous_refresh_token_stays_valid_until_its_successor_is_used(installed):
    from integrations.shopify import oauth

    env, shop = installed
    settings = env.app.config["SETTINGS"]
    first = _connection(shop.id).refresh_token
    second = oauth.refresh(settings, env.shop, first)
    # the answer was "lost": the old refresh token still works
    third = oauth.refresh(settings, env.shop, first)
    oauth.refresh(settings, env.shop, third.refresh_token)  # the successor is used...
    with pytest.raises(oauth.OAuthError) as refused:
        oauth.refresh(settings, env.shop, first)  # ...so its predecessor is gone
    assert refused.value.status == 400
    assert second.access_token != third.access_token


def test_uninstalled_shop_has_no_token(installed):
    from integrations.shopify.tokens import ShopTokens, TokenUnavailable

    env, shop = installed
    shop.status = "uninstalled"
    db.session.commit()
    with pytest.raises(TokenUnavailable):
        ShopTokens(env.app.config["SETTINGS"], shop.id).current()
