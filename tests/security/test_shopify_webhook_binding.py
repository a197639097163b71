"""A Shopify webhook acts only on what it proves: the signature covers the body alone (not the
topic or shop headers) and every shop shares the app secret, so a signed body captured from one
shop must not be replayable under another topic or against another shop.

Every Shopify webhook route of the app (found in its url_map, so a new one is covered without
editing this file) gets: deliveries missing each header Shopify's library requires, the
unprefixed header names that library accepts, bodies that do not fit their topic, bodies naming
another shop, shop/redact before the 48 hours after an uninstall, and the attack the pass found
(a shop's signed body resent as shop/redact with another shop's domain under a fresh event id).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from core.db import db, utcnow
from core.models import OrderLink, Shop, StoreConnection, WebhookEvent
from core.settings import Settings
from integrations.shopify.webhook_topics import SHAPES
from integrations.shopify.webhooks import COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS

VICTIM = "victim.myshopify.com"
ATTACKER = "attacker.myshopify.com"


def _webhook_routes() -> list[str]:
    """Every route of the Shopify webhook blueprint, read from an app built for the purpose."""
    from app import create_app

    settings = Settings(
        env="test",
        database_url="sqlite://",
        redis_url="redis://127.0.0.1:1/0",
        secret_key="route-enumeration-only",
        encryption_keys=(Fernet.generate_key().decode(),),
        shopify_api_key="k",
        shopify_api_secret="s" * 32,
    )
    app = create_app({"SETTINGS": settings, "TESTING": True})
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("shopify_webhooks.") and "POST" in rule.methods
    )


ROUTES = _webhook_routes()
pytestmark = pytest.mark.parametrize("route", ROUTES)


def shopify_sign(secret: str, body: bytes) -> str:
    """X-Shopify-Hmac-Sha256 as Shopify computes it: base64 of the HMAC-SHA256 of the raw body
    with the app's client secret (shopify.dev, "Verify webhooks"; @shopify/shopify-api
    validateHmacString with HashFormat.Base64)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def example(topic: str, shop: str) -> dict:
    """A body of `topic` from `shop`, with the keys of Shopify's example payload for the topic
    (../shared/specs/shopify/webhooks/2026-04.*.metadata.json; products/delete carries the id
    alone, per Shopify's webhook reference)."""
    compliance = {"shop_id": 954889, "shop_domain": shop}
    customer = {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"}
    return {
        "products/create": {"id": 788032119674292922, "title": "Tee", "variants": []},
        "products/update": {"id": 788032119674292922, "title": "Tee", "variants": []},
        "products/delete": {"id": 788032119674292922},
        "inventory_levels/update": {"inventory_item_id": 123, "location_id": 123, "available": 5,
                                    "updated_at": "2019-01-01T00:00:00Z"},  # fmt: skip
        "fulfillments/create": {"id": 123456, "order_id": 820982911946154508, "status": "success"},
        "fulfillments/update": {"id": 123456, "order_id": 820982911946154508, "status": "success"},
        "orders/cancelled": {"id": 820982911946154508, "line_items": []},
        "orders/fulfilled": {"id": 820982911946154508, "line_items": []},
        "app/uninstalled": {"id": 548380009, "name": "Super Toys", "myshopify_domain": shop},
        "shop/redact": compliance,
        "customers/redact": {**compliance, "customer": customer,
                             "orders_to_redact": [299938, 280263]},  # fmt: skip
        "customers/data_request": {**compliance, "customer": customer,
                                   "orders_requested": [299938], "data_request": {"id": 9999}},
    }[topic]  # fmt: skip


def headers_for(app, body: bytes, topic: str, shop: str, **changes) -> dict:
    """The headers Shopify sends with a classic webhook (shopify.dev, "Webhook headers"); a
    change set to None drops that header."""
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": shopify_sign(app.config["SETTINGS"].shopify_api_secret, body),
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-12-07T10:00:00Z",
    }
    for name, value in changes.items():
        headers.pop(name, None) if value is None else headers.__setitem__(name, value)
    return headers


def deliver(app, client, route: str, topic: str, shop: str, payload, **changes):
    body = json.dumps(payload).encode()
    return client.post(route, data=body, headers=headers_for(app, body, topic, shop, **changes))


@pytest.fixture
def shops(app):
    """The victim with an Amazon order's buyer details, and the attacker's own shop; both
    installed, as Crossport holds them."""
    made = {}
    for domain in (VICTIM, ATTACKER):
        shop = Shop(platform="shopify", domain=domain, name=domain.split(".")[0])
        shop.connection = StoreConnection(base_url=f"https://{domain}/admin")
        db.session.add(shop)
        db.session.flush()
        db.session.add(OrderLink(shop_id=shop.id, amazon_order_id=f"A-{shop.id}",
                                 marketplace_id="ATVPDKIKX0DER",
                                 store_order_id="gid://shopify/Order/299938",
                                 pii='{"name": "Erika"}'))  # fmt: skip
        made[domain] = shop
    db.session.commit()
    return {domain: shop.id for domain, shop in made.items()}


def _victim() -> Shop | None:
    db.session.expire_all()
    return db.session.scalars(select(Shop).where(Shop.domain == VICTIM)).one_or_none()


def _victim_pii() -> list:
    db.session.expire_all()
    shop = _victim()
    return [link.pii for link in db.session.query(OrderLink).filter_by(shop_id=shop.id)]


def _uninstalled(domain: str, hours_ago: float) -> None:
    shop = db.session.scalars(select(Shop).where(Shop.domain == domain)).one()
    shop.status, shop.uninstalled_at = "uninstalled", utcnow() - timedelta(hours=hours_ago)
    db.session.commit()


# -- the attack: a captured signed body, re-topic'd and re-addressed ---------------------------

CAPTURED = sorted(SHAPES)  # a body of every topic Crossport accepts, captured from the attacker


@pytest.mark.parametrize("captured_topic", CAPTURED)
def test_a_captured_body_resent_as_shop_redact_for_another_shop_deletes_nothing(
    app, client, shops, route, captured_topic
):
    # even a victim whose uninstall is long past: the body names the attacker's shop, or none
    _uninstalled(VICTIM, hours_ago=72)
    answer = deliver(app, client, route, "shop/redact", VICTIM, example(captured_topic, ATTACKER))
    assert answer.status_code in (400, 401), answer.data
    assert "error" in answer.get_json()
    assert _victim() is not None and _victim_pii() == ['{"name": "Erika"}']
    assert db.session.query(WebhookEvent).count() == 0  # refused before anything is recorded


@pytest.mark.parametrize("topic", ["customers/redact", "customers/data_request", "shop/redact",
                                   "app/uninstalled"])  # fmt: skip
def test_a_body_naming_another_shop_is_refused(app, client, shops, route, topic):
    _uninstalled(VICTIM, hours_ago=72)
    answer = deliver(app, client, route, topic, VICTIM, example(topic, ATTACKER))
    assert answer.status_code == 401, answer.data
    assert ATTACKER in answer.get_json()["error"] and VICTIM in answer.get_json()["error"]
    assert _victim() is not None and _victim_pii() == ['{"name": "Erika"}']


@pytest.mark.parametrize("hours_ago", [None, 1, 47.9])
def test_shop_redact_waits_for_48_hours_after_the_uninstall(app, client, shops, route, hours_ago):
    if hours_ago is not None:
        _uninstalled(VICTIM, hours_ago)
    answer = deliver(app, client, route, "shop/redact", VICTIM, example("shop/redact", VICTIM))
    assert answer.status_code == 409, answer.data
    assert "48 hours" in answer.get_json()["error"]
    assert _victim() is not None and _victim_pii() == ['{"name": "Erika"}']


def test_shop_redact_48_hours_after_the_uninstall_deletes_only_that_shop(app, client, shops, route):
    _uninstalled(VICTIM, hours_ago=48.1)
    answer = deliver(app, client, route, "shop/redact", VICTIM, example("shop/redact", VICTIM))
    assert answer.status_code == 200, answer.data
    assert _victim() is None
    remaining = {s.domain for s in db.session.scalars(select(Shop))}
    assert remaining == {ATTACKER}


def test_customers_redact_acts_on_the_shop_it_names(app, client, shops, route):
    answer = deliver(app, client, route, "customers/redact", VICTIM,
                     example("customers/redact", VICTIM))  # fmt: skip
    assert answer.status_code == 200, answer.data
    assert _victim_pii() == [None]
    attacker_pii = [link.pii for link in db.session.query(OrderLink).filter_by(
        shop_id=shops[ATTACKER])]  # fmt: skip
    assert attacker_pii == ['{"name": "Erika"}']


# -- headers Shopify's library requires, and the names it accepts -------------------------------

# @shopify/shopify-api lib/webhooks/validate.ts: a classic delivery missing its topic, shop
# domain, API version or webhook id is refused (missing_headers); Crossport dedupes on the event
# id, so either id will do, but one of them must be there.
MISSING = {
    "X-Shopify-API-Version": {"X-Shopify-API-Version": None},
    "X-Shopify-Shop-Domain": {"X-Shopify-Shop-Domain": None},
    "X-Shopify-Topic": {"X-Shopify-Topic": None},
    "X-Shopify-Webhook-Id": {"X-Shopify-Webhook-Id": None, "X-Shopify-Event-Id": None},
}


@pytest.mark.parametrize("header", sorted(MISSING))
def test_a_delivery_missing_a_required_header_is_refused(app, client, shops, route, header):
    answer = deliver(app, client, route, "products/update", VICTIM,
                     example("products/update", VICTIM), **MISSING[header])  # fmt: skip
    assert answer.status_code == 400, answer.data
    assert header in answer.get_json()["error"]
    assert db.session.query(WebhookEvent).count() == 0


def test_a_missing_or_wrong_signature_is_401(app, client, shops, route):
    for signature in (None, "", "AAAA", "é" * 44):
        answer = deliver(app, client, route, "products/update", VICTIM,
                         example("products/update", VICTIM),
                         **{"X-Shopify-Hmac-Sha256": signature})  # fmt: skip
        assert answer.status_code == 401, (signature, answer.data)
    assert db.session.query(WebhookEvent).count() == 0


def _unprefixed(headers: dict) -> dict:
    """Events webhooks' header names (@shopify/shopify-api lib/webhooks/header-names.ts,
    WEBHOOK_HEADER_NAMES.events): shopify-hmac-sha256, shopify-topic, shopify-shop-domain, …"""
    return {
        (name.removeprefix("X-").lower() if name.startswith("X-Shopify-") else name): value
        for name, value in headers.items()
    }


def test_the_unprefixed_header_names_are_accepted(app, client, shops, route):
    body = json.dumps(example("customers/redact", VICTIM)).encode()
    headers = _unprefixed(headers_for(app, body, "customers/redact", VICTIM))
    assert "shopify-hmac-sha256" in headers and "X-Shopify-Topic" not in headers
    answer = client.post(route, data=body, headers=headers)
    assert answer.status_code == 200, answer.data
    assert _victim_pii() == [None]
    [event] = db.session.scalars(select(WebhookEvent)).all()
    assert (event.topic, event.event_key) == ("customers/redact", headers["shopify-event-id"])


def test_unprefixed_headers_missing_the_api_version_are_refused(app, client, shops, route):
    body = json.dumps(example("products/update", VICTIM)).encode()
    headers = _unprefixed(headers_for(app, body, "products/update", VICTIM))
    del headers["shopify-api-version"]
    answer = client.post(route, data=body, headers=headers)
    assert answer.status_code == 400 and "shopify-api-version" in answer.get_json()["error"]


def test_the_two_header_families_must_agree(app, client, shops, route):
    """Signed under shopify-hmac-sha256, the shopify-* headers are the ones read: an attacker
    adding an X-Shopify-Topic that says otherwise is refused, not half-believed."""
    body = json.dumps(example("shop/redact", ATTACKER)).encode()
    headers = _unprefixed(headers_for(app, body, "shop/redact", ATTACKER))
    headers["X-Shopify-Shop-Domain"] = VICTIM
    _uninstalled(VICTIM, hours_ago=72)
    answer = client.post(route, data=body, headers=headers)
    assert answer.status_code == 400 and "disagree" in answer.get_json()["error"]
    assert _victim() is not None


# -- every topic's body must fit the topic ------------------------------------------------------


@pytest.mark.parametrize("topic", sorted(SHAPES))
def test_each_topic_accepts_its_own_body(app, client, shops, route, topic):
    answer = deliver(app, client, route, topic, ATTACKER, example(topic, ATTACKER))
    expected = 409 if topic == "shop/redact" else 200  # the attacker's shop is still installed
    assert answer.status_code == expected, answer.data


@pytest.mark.parametrize(
    ("topic", "key"), [(t, k) for t in sorted(SHAPES) for k in sorted(SHAPES[t].required)]
)
def test_a_body_missing_a_key_of_its_topic_is_refused(app, client, shops, route, topic, key):
    body = {k: v for k, v in example(topic, VICTIM).items() if k != key}
    answer = deliver(app, client, route, topic, VICTIM, body)
    assert answer.status_code == 400 and repr(key) in answer.get_json()["error"], answer.data
    body = {**example(topic, VICTIM), key: True}  # a boolean is no id, domain or list
    answer = deliver(app, client, route, topic, VICTIM, body)
    assert answer.status_code == 400 and repr(key) in answer.get_json()["error"], answer.data
    assert db.session.query(WebhookEvent).count() == 0


def test_a_topic_crossport_does_not_take_is_refused(app, client, shops, route):
    answer = deliver(app, client, route, "orders/create", VICTIM, {"id": 1, "line_items": []})
    assert answer.status_code == 400 and "orders/create" in answer.get_json()["error"]


def test_every_subscribed_and_compliance_topic_has_a_shape(route):
    # the GraphQL enum names the REST topic: INVENTORY_LEVELS_UPDATE is inventory_levels/update
    subscribed = {"/".join(t.lower().rsplit("_", 1)) for t in SUBSCRIBED_TOPICS}
    assert subscribed | set(COMPLIANCE_TOPICS) <= set(SHAPES)


def test_the_shapes_fit_shopifys_own_example_payloads(specs_dir, route):
    """Each topic's example in Shopify's published payloads passes (the shop's domain put in
    where the example has a placeholder or null), so no genuine delivery is refused."""
    from integrations.shopify.webhook_topics import check_delivery

    checked = 0
    for path in sorted((specs_dir / "shopify" / "webhooks").glob("*.metadata.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if spec["name"] not in SHAPES or not spec["response"]:
            continue
        payload = dict(spec["response"])
        key = SHAPES[spec["name"]].shop_domain_key
        if key:
            payload[key] = VICTIM
        check_delivery(spec["name"], VICTIM, payload)
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("topic", sorted(SHAPES))
def test_a_signed_body_with_odd_nested_objects_is_never_a_5xx(app, client, shops, route, topic):
    """Objects an event keeps by id (customer, data_request) may come without one; a signed
    body like that was a KeyError (500) where the event is recorded."""
    body = {**example(topic, ATTACKER), "customer": {}, "data_request": {"x": 1}}
    answer = deliver(app, client, route, topic, ATTACKER, body)
    assert answer.status_code < 500, answer.data
