"""The wc-auth key flow: send the seller to the store's approve page, then take the keys.

`start_connect` checks the store URL (https, public addresses, every redirect), stores a
one-time unguessable nonce in AuthState bound to the store (and to its Shop when it exists)
and returns the store's /wc-auth/v1/authorize URL with that nonce as `user_id`.
`complete_callback` handles WooCommerce's unsigned POST of the keys: the nonce must exist, be
unused and unexpired (it is consumed atomically, so a replay fails), the keys are stored
encrypted, proven with one API call, the webhooks are registered with a fresh per-connection
secret, the plugin is handed a fresh token key over the same authenticated REST API
(plugin_token.hand_key_to_plugin), and only then does the caller answer 200 (any other answer
makes WooCommerce delete the key, which is what we want when something failed).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from flask import current_app
from sqlalchemy import update

from core.db import db, utcnow
from core.models import AuthState, Shop, StoreConnection
from integrations.woocommerce.client import WooApiError, WooClient
from integrations.woocommerce.plugin_token import RECONNECT, hand_key_to_plugin
from integrations.woocommerce.reconcile import delivery_url, ensure_webhooks
from integrations.woocommerce.urlcheck import check_store_url, follow_store_redirects

PURPOSE = "woo_connect"
NONCE_TTL = timedelta(minutes=30)
APP_NAME = "Crossport"


class CallbackRefused(Exception):
    """The key callback is refused; `status` is what to answer (never 200)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _settings():
    return current_app.config["SETTINGS"]


def start_connect(store_url: str) -> str:
    """The authorize URL to send the seller's browser to (raises UnsafeStoreUrl)."""
    hosts = tuple(_settings().woocommerce_sandbox_hosts)
    url = follow_store_redirects(check_store_url(store_url, hosts), hosts)
    shop = db.session.scalars(
        db.select(Shop).where(Shop.platform == "woocommerce", Shop.domain == url)
    ).first()
    nonce = secrets.token_urlsafe(32)
    db.session.add(
        AuthState(
            nonce=nonce,
            purpose=PURPOSE,
            shop_id=shop.id if shop else None,
            binding={"store_url": url},
            expires_at=utcnow() + NONCE_TTL,
        )
    )
    db.session.commit()
    public = _settings().public_url.rstrip("/")
    params = {
        "app_name": APP_NAME,
        "scope": "read_write",
        "user_id": nonce,
        "return_url": f"{public}/woocommerce/return",
        "callback_url": f"{public}/woocommerce/callback",
    }
    return f"{url}/wc-auth/v1/authorize?{urlencode(params)}"


def _consume_nonce(nonce: str) -> AuthState:
    now = utcnow()
    consumed = db.session.execute(
        update(AuthState)
        .where(
            AuthState.nonce == nonce,
            AuthState.purpose == PURPOSE,
            AuthState.used_at.is_(None),
            AuthState.expires_at > now,
        )
        .values(used_at=now)
    )
    db.session.commit()
    if consumed.rowcount != 1:
        raise CallbackRefused("unknown, expired or already used connection request", 403)
    return db.session.scalars(db.select(AuthState).where(AuthState.nonce == nonce)).one()


def _parse(raw_body: bytes) -> dict:
    try:
        data = json.loads(raw_body or b"{}")
    except ValueError as exc:
        raise CallbackRefused("the callback body is not JSON") from exc
    if not isinstance(data, dict):
        raise CallbackRefused("the callback body is not a JSON object")
    for field in ("user_id", "consumer_key", "consumer_secret", "key_permissions"):
        if not data.get(field):
            raise CallbackRefused(f"the callback lacks {field}")
    return data


def complete_callback(raw_body: bytes) -> Shop:
    """Take the keys WooCommerce posted; returns the connected Shop or raises CallbackRefused."""
    data = _parse(raw_body)
    state = _consume_nonce(str(data["user_id"]))
    if data["key_permissions"] != "read_write":
        raise CallbackRefused("Crossport needs read/write access")
    store_url = state.binding["store_url"]
    hosts = tuple(_settings().woocommerce_sandbox_hosts)
    client = WooClient(
        store_url,
        data["consumer_key"],
        data["consumer_secret"],
        shop_id=state.shop_id,
        sandbox_hosts=hosts,
    )
    try:
        client.get("products", per_page=1, _fields="id")  # prove the keys work
    except WooApiError as exc:
        raise CallbackRefused(f"the new keys do not work: {exc}", 502) from exc
    shop, connection = _save(store_url, data, state.shop_id)
    client.shop_id = shop.id
    try:
        _learn_store_settings(client, shop)
        ensure_webhooks(
            client,
            delivery_url(_settings().public_url),
            connection.webhook_secret or "",
            rotate_secret=True,
        )
    except WooApiError as exc:
        _fail(connection)
        raise CallbackRefused(f"could not register webhooks: {exc}", 502) from exc
    try:
        connection.plugin_token_key = hand_key_to_plugin(client)
    except WooApiError as exc:
        _fail(connection)
        raise CallbackRefused(
            f"the Crossport plugin did not take its token key ({exc}): {RECONNECT}", 502
        ) from exc
    connection.status = "connected"
    db.session.commit()
    return shop


def _fail(connection: StoreConnection) -> None:
    connection.status = "failed"
    connection.consumer_key = connection.consumer_secret = connection.plugin_token_key = None
    db.session.commit()


def _save(store_url: str, data: dict, shop_id: int | None) -> tuple[Shop, StoreConnection]:
    shop = db.session.get(Shop, shop_id) if shop_id else None
    shop = (
        shop
        or db.session.scalars(
            db.select(Shop).where(Shop.platform == "woocommerce", Shop.domain == store_url)
        ).first()
    )
    if shop is None:
        shop = Shop(platform="woocommerce", domain=store_url, name=store_url.split("://", 1)[1])
        db.session.add(shop)
    shop.status, shop.uninstalled_at = "installed", None
    connection = shop.connection or StoreConnection(shop=shop)
    connection.base_url = store_url
    connection.consumer_key = data["consumer_key"]
    connection.consumer_secret = data["consumer_secret"]
    connection.key_permissions = data["key_permissions"]
    connection.scopes = data["key_permissions"]
    connection.webhook_secret = secrets.token_urlsafe(32)
    connection.status = "connecting"
    db.session.add(connection)
    db.session.commit()  # committed before any API call: the API log writes in its own session
    return shop, connection


def _learn_store_settings(client: WooClient, shop: Shop) -> None:
    def setting(group: str, option: str, default: str) -> str:
        try:
            return str(client.get(f"settings/{group}/{option}").get("value") or default)
        except WooApiError:
            return default

    shop.currency = setting("general", "woocommerce_currency", shop.currency or "USD")
    shop.settings = {
        **(shop.settings or {}),
        "woocommerce_units": {
            "currency": shop.currency,
            "weight_unit": setting("products", "woocommerce_weight_unit", "kg"),
            "dimension_unit": setting("products", "woocommerce_dimension_unit", "cm"),
        },
    }
    db.session.commit()


def return_target(nonce: str, success: bool) -> str | None:
    """Where the browser goes after the approve page: the store's Crossport page when done."""
    state = db.session.scalars(
        db.select(AuthState).where(AuthState.nonce == nonce, AuthState.purpose == PURPOSE)
    ).first()
    if state is None or not success:
        return None
    connection = db.session.scalars(
        db.select(StoreConnection).where(StoreConnection.base_url == state.binding["store_url"])
    ).first()
    if connection is None or connection.status != "connected":
        return None
    return f"{connection.base_url}/wp-admin/admin.php?page=crossport"
