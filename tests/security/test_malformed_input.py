"""Malformed input never gives a 5xx: every route and method of the app, enumerated from its
url_map (a new route is covered without editing this file), gets deep JSON, integers too large
for the database, wrong types, non-UTF-8 bytes and an oversized body, with a valid owner token
so the body reaches the code behind the auth check. The webhook and callback routes, which
parse raw bytes themselves, are also fuzzed with Hypothesis (signed where a signature guards
the parser, so the fuzzed body gets past it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import db
from core.models import Shop, StoreConnection
from tests.security.routes import PARAM, routes
from tests.web.conftest import make_shop, session_token

HUGE = 2**70
DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
NOT_UTF8 = b'{"name": "\xff\xfe\xc3\x28"}'
WRONG_TYPES = ([], "text", 7, None, True, 1.5e308, {"": {}}, [HUGE])
WOO_SOURCE = "https://fuzz-store.example"
WOO_SECRET = "fuzz-webhook-secret"


ROUTES = sorted({(rule, method) for rule, method, _ in routes()})
BODY_ROUTES = [(r, m) for r, m in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")]


def _path(rule: str, int_value: int | str = 1, text: str = "x") -> str:
    return PARAM.sub(
        lambda m: str(int_value) if m.group("kind") == "int" else text,
        rule,
    )


def _operation(rule: str, method: str):
    from web.api.registry import OPERATIONS

    for op in OPERATIONS.values():
        if op.rule == rule.removeprefix("/api") and op.method == method.lower():
            return op
    return None


def _field_names(rule: str, method: str, part: str) -> list[str]:
    op = _operation(rule, method)
    schema = getattr(op, part, None) if op else None
    if schema is None:
        # routes outside the registry: the keys the handlers are known to read
        return ["marketplace_ids", "enabled", "product_ids", "id", "store_url", "user_id"]
    return [f.data_key or name for name, f in schema.fields.items() if not f.dump_only]


@pytest.fixture
def owner(app):
    shop = make_shop("fuzz.myshopify.com", users={"1": "owner"})
    # installed with a token, so /shopify/session has no token exchange to make
    db.session.add(StoreConnection(shop_id=shop.id, access_token="shpat_fuzz", scopes="read"))
    woo = Shop(platform="woocommerce", domain=WOO_SOURCE, name="fuzz woo", currency="EUR")
    db.session.add(woo)
    db.session.flush()
    db.session.add(StoreConnection(shop_id=woo.id, base_url=WOO_SOURCE, webhook_secret=WOO_SECRET))
    db.session.commit()
    return {"Authorization": f"Bearer {session_token(app, shop.domain, '1')}"}


def _send(client, method, path, headers, *, body=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else json.dumps(body).encode()
    answer = client.open(
        path, method=method, data=data, headers={**headers, "Content-Type": content_type}
    )
    assert answer.status_code < 500, (
        f"{method} {path} with {data[:80]!r}... gave {answer.status_code}: "
        f"{answer.get_data(as_text=True)[:300]}"
    )
    return answer


@pytest.mark.parametrize(("rule", "method"), BODY_ROUTES, ids=lambda v: v)
def test_deep_json_is_a_4xx_that_says_so(client, owner, rule, method):
    for raw in (DEEP_ARRAY, DEEP_OBJECT):
        answer = _send(client, method, _path(rule), owner, raw=raw)
        if answer.status_code == 400 and answer.is_json:
            # where the body was read at all, the answer names the problem
            assert "nested" in json.dumps(answer.get_json()) or answer.get_json()


@pytest.mark.parametrize(("rule", "method"), BODY_ROUTES, ids=lambda v: v)
def test_huge_integers_and_wrong_types_in_every_body_field(client, owner, rule, method):
    path = _path(rule)
    names = _field_names(rule, method, "body")
    for value in (HUGE, -HUGE, [HUGE], {"id": HUGE}, *WRONG_TYPES):
        _send(client, method, path, owner, body={name: value for name in names})
    for value in WRONG_TYPES:
        _send(client, method, path, owner, body=value)


@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=lambda v: v)
def test_huge_integers_in_the_path_and_query(client, owner, rule, method):
    query = "&".join(f"{n}={HUGE}" for n in _field_names(rule, method, "query"))
    for path in (_path(rule, "99999999999999999999999"), _path(rule, 2**31)):
        answer = _send(client, method, f"{path}?{query}", owner, body={})
        if path != _path(rule):
            assert answer.status_code != 200 or "<int" not in rule, f"{path} matched a row"


@pytest.mark.parametrize(("rule", "method"), BODY_ROUTES, ids=lambda v: v)
def test_non_utf8_bytes_and_an_oversized_body(client, owner, rule, method):
    path = _path(rule)
    _send(client, method, path, owner, raw=NOT_UTF8)
    _send(
        client, method, path, owner, raw=NOT_UTF8, content_type="application/x-www-form-urlencoded"
    )
    _send(client, method, f"{path}?store_url=%ff%fe&shop=%c3%28", owner, raw=b"{}")
    # past MAX_CONTENT_LENGTH: 413 where the route reads the body (a route ignoring its body
    # answers as it would without one)
    _send(client, method, path, owner, raw=b'{"a": "' + b"x" * (6 * 1024 * 1024) + b'"}')


def test_a_store_url_with_a_malformed_port_is_refused_with_a_reason(client):
    answer = client.get("/woocommerce/connect?store_url=https://127.0.0.1:8103:8655")
    assert answer.status_code == 400
    assert "port" in answer.get_data(as_text=True)


def test_the_named_cases_of_the_attack_pass(client, owner):
    for method, path in (
        ("POST", "/woocommerce/callback"),
        ("POST", "/api/mappings"),
        ("POST", "/api/publish"),
        ("POST", "/amazon/marketplaces"),
        ("PUT", "/api/settings"),
    ):
        answer = _send(client, method, path, owner, raw=DEEP_ARRAY)
        assert answer.status_code == 400, (path, answer.status_code)
        assert "nested too deeply" in answer.get_data(as_text=True)
    assert _send(client, "GET", "/api/runs/99999999999999999999999", owner).status_code == 404
    published = _send(client, "POST", "/api/publish", owner, body={"product_ids": [HUGE]})
    assert published.status_code == 400
    assert "between" in json.dumps(published.get_json())
    non_ascii = "/shopify/callback?shop=fuzz.myshopify.com&hmac=%C3%A9%C3%A9&timestamp=1"
    assert _send(client, "GET", non_ascii, {}, raw=b"").status_code == 401


# Hypothesis on the routes that read raw bytes themselves ----------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "order_id",
                "inventory_item_id",
                "updated_at",
                "date_modified_gmt",
                "user_id",
                "consumer_key",
                "consumer_secret",
                "key_permissions",
                "shop_id",
                "shop_domain",
                "orders_to_redact",
                "customer",
            ]
        ),
        json_values,
    ).map(lambda v: json.dumps(v).encode()),
    st.integers(min_value=1, max_value=5000).map(lambda n: b"[" * n + b"]" * n),
)
header_text = st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _shopify_sign(app, body: bytes) -> str:
    secret = app.config["SETTINGS"].shopify_api_secret.encode()
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


@FUZZ
@given(
    body=bodies,
    topic=st.sampled_from(
        [
            "products/update",
            "fulfillments/create",
            "customers/redact",
            "customers/data_request",
            "app/uninstalled",
            "inventory_levels/update",
        ]
    )
    | header_text,
    event_id=header_text,
)
def test_shopify_webhook_fuzz(app, client, owner, body, topic, event_id):
    headers = {
        "X-Shopify-Hmac-Sha256": _shopify_sign(app, body),
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": "fuzz.myshopify.com",
        "X-Shopify-API-Version": "2025-07",
        "X-Shopify-Webhook-Id": event_id or "w",
        "X-Shopify-Event-Id": event_id or "e",
    }
    _send(client, "POST", "/webhooks/shopify", headers, raw=body)


@FUZZ
@given(
    body=bodies,
    topic=st.sampled_from(["product.updated", "product.deleted", "order.updated"]) | header_text,
)
def test_woocommerce_webhook_fuzz(client, owner, body, topic):
    signature = base64.b64encode(hmac.new(WOO_SECRET.encode(), body, hashlib.sha256).digest())
    headers = {
        "X-WC-Webhook-Source": WOO_SOURCE + "/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Signature": signature.decode(),
    }
    _send(client, "POST", "/webhooks/woocommerce", headers, raw=body)


@FUZZ
@given(body=bodies)
def test_woocommerce_key_callback_fuzz(client, owner, body):
    _send(client, "POST", "/woocommerce/callback", {}, raw=body)


@FUZZ
@given(
    shop=st.sampled_from(["fuzz.myshopify.com", ""]) | header_text,
    params=st.dictionaries(
        st.sampled_from(
            [
                "hmac",
                "code",
                "state",
                "host",
                "timestamp",
                "spapi_oauth_code",
                "selling_partner_id",
                "user_id",
                "success",
                "store_url",
            ]
        ),
        header_text,
    ),
)
def test_oauth_callback_query_fuzz(client, owner, shop, params):
    from urllib.parse import urlencode

    query = urlencode({"shop": shop, **params})
    for path in (
        "/shopify/callback",
        "/shopify/install",
        "/amazon/callback",
        "/woocommerce/return",
        "/woocommerce/connect",
    ):
        if any(rule == path for rule, _ in ROUTES):
            _send(client, "GET", f"{path}?{query}", {}, raw=b"")
