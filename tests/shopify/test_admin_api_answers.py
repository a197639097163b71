"""The emulator's Admin API answers as Shopify's do, as seen through Shopify's own client: the
version and request id on every answer (and the request id in Crossport's API log), the versions
served, and the query cost refunded down to what a query actually returned."""

from __future__ import annotations

import json
import logging

import pytest
import requests
from graphql import parse

from core.db import db
from core.models import ApiCall
from integrations.shopify.adapter import ShopifyStore
from sandbox.shopify.cost import query_cost
from tests.support.specs import specs_path


def _post(env, token: str, query: str, version: str = "2026-07") -> requests.Response:
    return requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/api/{version}/graphql.json",
        json={"query": query},
        timeout=10,
        headers={"X-Shopify-Access-Token": token},
    )


def test_every_answer_names_its_version_and_request_id(installed):
    env, shop = installed
    token = shop.connection.access_token
    answers = {
        "ok": _post(env, token, "{ shop { name } }"),
        "bad token": _post(env, "shpat_wrong", "{ shop { name } }"),
        "invalid document": _post(env, token, "{ shop { notAField } }"),
    }
    ids = set()
    for what, answer in answers.items():
        assert answer.headers.get("X-Shopify-API-Version") == "2026-07", what
        ids.add(answer.headers.get("X-Request-Id"))
    assert None not in ids and len(ids) == 3  # one id per request


def test_crossport_records_shopifys_request_id(installed):
    env, shop = installed
    adapter = ShopifyStore.for_shop(shop)
    adapter.get_stock(["DEMO-002"])
    row = db.session.query(ApiCall).filter_by(operation="VariantsBySku").all()[-1]
    answered = [
        c["request_id"]
        for c in env.calls(env.shop, kind="graphql")
        if c.get("operation") == "VariantsBySku"
    ]
    assert row.request_id and row.request_id == answered[-1]  # the id the emulator answered


@pytest.mark.parametrize(
    "asked, served",
    [
        # the supported versions in December 2026 (https://shopify.dev/docs/api/usage/versioning:
        # each for at least 12 months), each served as asked
        ("2026-01", "2026-01"),
        ("2026-04", "2026-04"),
        ("2026-10", "2026-10"),
        ("2024-01", "2026-01"),  # retired: falls forward to the oldest supported
        ("unstable", "unstable"),
    ],
)
def test_supported_and_retired_versions_are_served(installed, asked, served):
    env, shop = installed
    answer = _post(env, shop.connection.access_token, "{ shop { name } }", version=asked)
    assert answer.status_code == 200 and answer.json()["data"]["shop"]["name"]
    assert answer.headers["X-Shopify-API-Version"] == served


@pytest.mark.parametrize("asked", ["2026-05", "2031-01", "latest", "v1"])
def test_a_version_that_does_not_exist_is_404(installed, asked):
    env, shop = installed
    answer = _post(env, shop.connection.access_token, "{ shop { name } }", version=asked)
    assert answer.status_code == 404
    assert answer.headers.get("X-Request-Id")


def test_the_unused_part_of_the_requested_cost_is_refunded(installed):
    env, shop = installed
    # a bucket that does not refill during the test, so what it holds is what was charged
    env.control(
        "POST", f"/shops/{env.shop}/throttle", json={"restore_rate": 0.001, "available": 2000}
    )
    answer = _post(
        env, shop.connection.access_token, "{ products(first: 50) { nodes { id title } } }"
    )
    cost = answer.json()["extensions"]["cost"]
    returned = len(answer.json()["data"]["products"]["nodes"])
    assert cost["requestedQueryCost"] == 2 + 50  # 2 for the connection, 1 per node asked
    assert cost["actualQueryCost"] == 2 + returned < cost["requestedQueryCost"]
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - cost["actualQueryCost"]


def test_a_mutation_costs_ten_and_what_its_payload_selects_beneath(installed):
    env, shop = installed
    env.control(
        "POST", f"/shops/{env.shop}/throttle", json={"restore_rate": 0.001, "available": 2000}
    )
    answer = _post(
        env,
        shop.connection.access_token,
        'mutation { orderCancel(orderId: "gid://shopify/Order/1", reason: OTHER, restock: true)'
        " { job { id done } orderCancelUserErrors { field code } } }",
    )
    cost = answer.json()["extensions"]["cost"]
    # as captured: orderCancel selecting job { id done } is 10 requested, 10 actual
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (10, 10)


def _captured_costs():
    """(document, variables, data, cost) of the captures whose cost the rules reproduce."""
    folder = specs_path("shopify", "conformance-captures")
    found = []
    for name in ("2026-04.inventorySetQuantities-quantity-bounds.json",):
        capture = json.loads((folder / name).read_text(encoding="utf-8"))
        for case in capture["cases"].values():
            found.append((case["query"], case["variables"], case["response"]))
    return found


def test_the_cost_rules_reproduce_the_captured_costs(official_schema):
    # 2026-04.inventorySetQuantities-quantity-bounds: requested 13, actual 13 when the group
    # comes back and 10 when it is null (userErrors are free)
    cases = _captured_costs()
    assert cases
    for query, variables, response in cases:
        cost = response["extensions"]["cost"]
        document = parse(query)
        assert (
            query_cost(official_schema, document, variables, None) == (cost["requestedQueryCost"])
        )
        assert (
            query_cost(official_schema, document, variables, None, response["data"])
            == (cost["actualQueryCost"])
        )


def test_crossport_warns_when_shopify_serves_another_version(installed, caplog):
    env, shop = installed
    adapter = ShopifyStore.for_shop(shop)
    # as if Crossport's pinned version had been retired: Shopify serves the oldest supported
    adapter.client.url = adapter.client.url.replace("/2026-07/", "/2024-01/")
    with caplog.at_level(logging.WARNING, logger="crossport.shopify"):
        adapter.client.execute("ShopInfo")
    [warning] = [r for r in caplog.records if r.name == "crossport.shopify"]
    assert "asked for 2024-01, served 2026-01" in warning.getMessage()
    row = db.session.query(ApiCall).filter_by(operation="ShopInfo").all()[-1]
    assert "VERSION_FALLBACK" in row.error_codes
