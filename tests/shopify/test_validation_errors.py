"""Validation errors from the Shopify emulator as Shopify's captures show them: a document that
does not validate gets errors with Shopify's `path` and `extensions.code`, and a mutation's
userErrors name the input field (`field`) and `code` the captured answers name
(../shared/specs/shopify/conformance-captures; skipped without them, failed under CI)."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support.specs import specs_path


def _capture(name: str) -> dict:
    path = specs_path("shopify", "conformance-captures", name)
    return json.loads(path.read_text(encoding="utf-8"))


def _post(env, token: str, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(
        f"{env.emulator.url}/store/{env.shop}/admin/api/2026-07/graphql.json",
        json={"query": query, "variables": variables or {}},
        timeout=10,
        headers={"X-Shopify-Access-Token": token},
    )
    assert answer.status_code == 200
    return answer.json()


def test_a_missing_required_argument_is_reported_as_shopify_does(installed):
    env, shop = installed
    captured = _capture("2026-04.webhook-subscription-conformance.json")["graphqlValidation"]
    expected = captured["missingCreateTopic"]["response"]["payload"]
    # the captured request's first lines (its error points at line 2, column 3)
    query = (
        "mutation MissingCreateWebhookTopic {\n"
        '  webhookSubscriptionCreate(webhookSubscription: { uri: "https://example.com/h" }) {\n'
        "    userErrors { field message }\n  }\n}"
    )
    assert _post(env, shop.connection.access_token, query) == expected


def test_a_null_for_a_required_input_is_reported_as_shopify_does(installed):
    env, shop = installed
    captured = _capture("2026-04.webhook-subscription-conformance.json")["graphqlValidation"]
    [expected] = captured["nullUpdateInput"]["response"]["payload"]["errors"]
    # the capture is webhookSubscriptionUpdate, which Crossport never sends (the emulator's
    # schema lacks it); the same error on webhookSubscriptionCreate
    query = (
        "mutation NullCreateWebhookInput {\n"
        "  webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: null) {\n"
        "    userErrors { field message }\n  }\n}"
    )
    [error] = _post(env, shop.connection.access_token, query)["errors"]
    renamed = json.loads(
        json.dumps(expected)
        .replace("webhookSubscriptionUpdate", "webhookSubscriptionCreate")
        .replace("NullUpdateWebhookInput", "NullCreateWebhookInput")
    )
    assert error == renamed


def test_an_unknown_field_names_its_type_and_path(installed):
    env, shop = installed
    [error] = _post(env, shop.connection.access_token, "{ shop { notAField } }")["errors"]
    assert error["message"] == "Field 'notAField' doesn't exist on type 'Shop'"
    assert error["path"] == ["query", "shop", "notAField"]
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Shop",
        "fieldName": "notAField",
    }


def test_a_subscription_without_address_names_callbackUrl(installed):
    env, shop = installed
    captured = _capture("2026-04.webhook-subscription-conformance.json")["validation"]
    data = captured["response"]["payload"]["data"]
    query = (
        "mutation { createMissingUri: webhookSubscriptionCreate(topic: ORDERS_CREATE, "
        "webhookSubscription: { format: JSON }) { userErrors { field message } } }"
    )
    answer = _post(env, shop.connection.access_token, query)
    assert (
        answer["data"]["createMissingUri"]["userErrors"] == (data["createMissingUri"]["userErrors"])
    )


@pytest.mark.parametrize(
    "case", ["onHandNegative", "availableTooLow", "availableNegativeWithinBounds"]
)
def test_inventory_quantity_bounds_as_captured(installed, case):
    env, shop = installed
    token = shop.connection.access_token
    captured = _capture("2026-04.inventorySetQuantities-quantity-bounds.json")["cases"][case]
    ids = _post(
        env,
        token,
        "{ locations(first: 1) { nodes { id } } products(first: 1) { nodes { "
        "variants(first: 1) { nodes { inventoryItem { id } } } } } }",
    )["data"]
    variables = captured["variables"]
    [row] = variables["input"]["quantities"]
    row["locationId"] = ids["locations"]["nodes"][0]["id"]
    row["inventoryItemId"] = ids["products"]["nodes"][0]["variants"]["nodes"][0]["inventoryItem"][
        "id"
    ]
    row.pop("changeFromQuantity", None)  # the shop's current quantity is not the capture's 0
    answer = _post(
        env,
        token,
        "mutation Set($input: InventorySetQuantitiesInput!) { inventorySetQuantities("
        "input: $input) { userErrors { field message code } } }",
        {"input": variables["input"]},
    )
    expected = captured["response"]["data"]["inventorySetQuantities"]["userErrors"]
    assert answer["data"]["inventorySetQuantities"]["userErrors"] == expected
