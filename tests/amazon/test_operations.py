"""Each SP-API operation Crossport uses, through the production client against the emulator,
with contract validation on (the emulator fixture fails a test on any violation)."""

from __future__ import annotations

import time

import pytest
from sp_api.api import Orders

from integrations.amazon import (
    catalog,
    definitions,
    feeds,
    inventory,
    listings,
    notifications,
    orders,
    sellers,
)
from integrations.amazon.errors import AmazonApiError

from .conftest import EU_DE, FE_JP, SPEEDUP
from .listings_data import shirt


def _wait(predicate, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_participations_carry_currency_and_language(eu_client):
    found = {m["country_code"]: m for m in sellers.marketplace_participations(eu_client)}
    assert set(found) >= {"GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL"}
    assert (found["DE"]["currency"], found["DE"]["language"]) == ("EUR", "de_DE")
    assert (found["SE"]["currency"], found["PL"]["currency"]) == ("SEK", "PLN")
    assert "US" not in found  # one refresh token covers one region


def test_product_type_definition_and_schema_in_japanese(make_account):
    from integrations.amazon.accounts import client_for

    client = client_for(make_account("FE"))
    names = [p["name"] for p in definitions.search_product_types(client, FE_JP, keywords=["shirt"])]
    assert names == ["SHIRT"]
    definition = definitions.get_definition(client, FE_JP, "SHIRT", locale="ja_JP")
    assert definition["locale"] == "ja_JP" and "offer" in definition["propertyGroups"]
    schema = definitions.download_schema(client, definition)
    assert schema["properties"]["item_name"]["title"] == "商品名"
    assert schema["$defs"]["language_tag"]["default"] == "ja_JP"
    # required outside the US, of everything but a variation parent
    assert any("list_price" in c.get("else", {}).get("required", []) for c in schema["allOf"])


def test_real_home_schema_is_served_for_germany(eu_client, specs_dir):
    definition = definitions.get_definition(eu_client, EU_DE, "HOME")
    schema = definitions.download_schema(eu_client, definition)
    assert schema["$defs"]["marketplace_id"]["default"] == EU_DE


def test_validation_preview_reports_amazon_style_issues_and_writes_nothing(eu_client):
    attributes = shirt(EU_DE, "de_DE", "EUR")
    del attributes["color"]
    answer = listings.put_listing(eu_client, EU_DE, "TEE-1", "SHIRT", attributes, preview=True)
    assert answer["status"] == "INVALID"
    issue = next(i for i in answer["issues"] if i["attributeNames"] == ["color"])
    assert issue["categories"] == ["MISSING_ATTRIBUTE"] and issue["severity"] == "ERROR"
    valid = listings.put_listing(
        eu_client, EU_DE, "TEE-1", "SHIRT", shirt(EU_DE, "de_DE", "EUR"), preview=True
    )
    assert valid["status"] == "VALID"
    assert listings.get_listing(eu_client, EU_DE, "TEE-1") is None


def test_listing_lifecycle_put_get_patch_search_delete(emulator, eu_client):
    emulator.control("POST", "options", json={"buyable_after_seconds": 50.0})  # 1 s
    answer = listings.put_listing(eu_client, EU_DE, "TEE/2", "SHIRT", shirt(EU_DE, "de_DE", "EUR"))
    assert answer["status"] == "ACCEPTED"
    # Amazon processes first; BUYABLE comes later
    assert listings.get_listing(eu_client, EU_DE, "TEE/2")["summaries"][0]["status"] == []
    item = _wait(lambda: (i := listings.get_listing(eu_client, EU_DE, "TEE/2"))
                 and i["summaries"][0]["status"] and i)  # fmt: skip
    assert item["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "19.9"}
    patched = listings.patch_listing(eu_client, EU_DE, "TEE/2", "SHIRT", [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}])  # fmt: skip
    assert patched["status"] == "ACCEPTED"
    found = listings.search_listings(eu_client, EU_DE, ["TEE/2", "NOPE"])
    assert [i["sku"] for i in found] == ["TEE/2"]
    assert listings.delete_listing(eu_client, EU_DE, "TEE/2")["status"] == "ACCEPTED"
    assert listings.get_listing(eu_client, EU_DE, "TEE/2") is None


def test_an_issue_appears_after_acceptance(eu_client):
    attributes = shirt(EU_DE, "de_DE", "EUR", image=False)
    assert listings.put_listing(eu_client, EU_DE, "TEE-3", "SHIRT", attributes)["status"] == \
        "ACCEPTED"  # fmt: skip
    time.sleep(5.0 / SPEEDUP + 0.05)
    item = listings.get_listing(eu_client, EU_DE, "TEE-3")
    assert item["summaries"][0]["status"] == []
    assert [i["categories"] for i in item["issues"]] == [["MISSING_IMAGE"]]


def test_gated_brand_is_refused_and_restrictions_say_why(eu_client):
    attributes = shirt(EU_DE, "de_DE", "EUR", brand="Levi's")
    answer = listings.put_listing(eu_client, EU_DE, "LEVI-1", "SHIRT", attributes)
    assert answer["status"] == "INVALID"
    assert answer["issues"][0]["categories"] == ["QUALIFICATION_REQUIRED"]
    reasons = catalog.listing_restrictions(eu_client, EU_DE, "B000CROSS5")
    assert [r["reasonCode"] for r in reasons] == ["APPROVAL_REQUIRED"]
    assert catalog.listing_restrictions(eu_client, EU_DE, "B000CROSS3") == []


def test_catalog_finds_asins_of_known_gtins(eu_client):
    found = catalog.asins_for_identifiers(eu_client, EU_DE, ["4006381333931", "1234567890128"])
    assert found == {"4006381333931": {"asin": "B000CROSS1", "brand": "Stabilo",
                                       "itemName": "Highlighter, yellow"}}  # fmt: skip


def test_orders_paging_items_pii_and_shipment(emulator, seller, eu_client):
    # given three orders in two EU marketplaces, one of them FBA
    def place(marketplace, channel="MFN"):
        return emulator.control(
            "POST",
            "orders",
            json={
                "seller_id": seller["seller_id"],
                "marketplace_id": marketplace,
                "fulfillment_channel": channel,
                "items": [{"sku": "TEE-1", "quantity": 2, "price": "19.90", "tax": "6.36"}],
            },
        )

    first = place(EU_DE)
    place("A13V1IB3VIYZZH")
    place(EU_DE, "AFN")
    since = "2020-01-01T00:00:00Z"
    # when all are read (getOrders takes every marketplace at once)
    found = [
        o
        for kind, o in orders.iter_orders(
            eu_client, [EU_DE, "A13V1IB3VIYZZH"], last_updated_after=since
        )
        if kind == "order"
    ]
    assert len(found) == 3 and {o["FulfillmentChannel"] for o in found} == {"MFN", "AFN"}
    order_id = first["AmazonOrderId"]
    assert orders.get_order(eu_client, EU_DE, order_id)["OrderTotal"]["CurrencyCode"] == "EUR"
    items = orders.get_order_items(eu_client, EU_DE, order_id)
    assert items[0]["ItemPrice"] == {"CurrencyCode": "EUR", "Amount": "39.80"}
    # PII only with a Restricted Data Token
    address, buyer = orders.get_order_pii(eu_client, EU_DE, order_id)
    assert address["Name"] == "Jürgen Müller" and buyer["BuyerEmail"]
    # then a shipment confirmation ships the order
    orders.confirm_shipment(
        eu_client,
        EU_DE,
        order_id,
        package_reference="1",
        carrier_code="DHL",
        tracking_number="00340434",
        ship_date="2026-11-26T10:00:00Z",
        items=[{"orderItemId": items[0]["OrderItemId"], "quantity": 2}],
    )
    assert emulator.control("GET", f"orders/{order_id}")["OrderStatus"] == "Shipped"


def test_get_orders_pages_with_next_token(emulator, seller, eu_client):
    for _ in range(3):
        emulator.control(
            "POST",
            "orders",
            json={
                "seller_id": seller["seller_id"],
                "marketplace_id": EU_DE,
                "items": [{"sku": "A", "price": "1.00"}],
            },
        )
    api = eu_client.api(Orders, EU_DE, version="v0")
    first = eu_client.call(
        "getOrders",
        lambda: api.get_orders(
            MarketplaceIds=EU_DE, CreatedAfter="2020-01-01T00:00:00Z", MaxResultsPerPage=2
        ),
    ).payload
    assert len(first["Orders"]) == 2 and first["NextToken"]
    second = eu_client.call(
        "getOrders", lambda: api.get_orders(MarketplaceIds=EU_DE, NextToken=first["NextToken"])
    ).payload
    assert len(second["Orders"]) == 1 and "NextToken" not in second


def test_order_address_without_rdt_is_refused(emulator, seller, eu_client):
    order = emulator.control("POST", "orders", json={"seller_id": seller["seller_id"],
                             "marketplace_id": EU_DE, "items": [{"sku": "A"}]})  # fmt: skip
    api = eu_client.api(Orders, EU_DE, version="v0")
    with pytest.raises(AmazonApiError) as refused:
        eu_client.call("getOrderAddress", lambda: api.get_order_address(order["AmazonOrderId"]))
    assert refused.value.status == 403


def test_fba_inventory_and_notifications(emulator, seller, eu_client):
    emulator.control("POST", "inventory", json={"seller_id": seller["seller_id"],
                     "marketplace_id": EU_DE, "sku": "TEE-1", "quantity": 7})  # fmt: skip
    assert inventory.fba_quantities(eu_client, EU_DE) == {"TEE-1": 7}
    destination = notifications.ensure_destination(
        eu_client, "crossport", "arn:aws:sqs:eu-west-1:123456789012:crossport"
    )
    subscription = notifications.ensure_subscription(eu_client, "ORDER_CHANGE", destination)
    assert subscription["destinationId"] == destination


def test_a_japanese_listing_through_a_feed_arrives_intact(emulator, seller, make_account):
    from integrations.amazon.accounts import client_for

    client = client_for(make_account("FE"))
    title = "オーガニックコットン Tシャツ「白」— 日本製"
    attributes = shirt(FE_JP, "ja_JP", "JPY", title=title, price=2980)
    broken = shirt(FE_JP, "ja_JP", "JPY", title="価格が不正", price=2980.5)  # JPY: no minor unit
    document = feeds.listings_feed(seller["seller_id"], [
        {"messageId": 1, "sku": "JP-TEE-1", "operationType": "UPDATE", "productType": "SHIRT",
         "requirements": "LISTING", "attributes": attributes},
        {"messageId": 2, "sku": "JP-TEE-2", "operationType": "UPDATE", "productType": "SHIRT",
         "attributes": broken},
    ], issue_locale="ja_JP")  # fmt: skip
    feed_id = feeds.submit_listings_feed(client, [FE_JP], document)
    feed = _wait(lambda: (f := feeds.get_feed(client, FE_JP, feed_id))
                 and f["processingStatus"] in feeds.FINAL_STATUSES and f)  # fmt: skip
    assert feed["processingStatus"] == "DONE"
    report = feeds.download_report(client, FE_JP, feed["resultFeedDocumentId"])
    assert report["summary"]["messagesAccepted"] == 1 and report["summary"]["messagesInvalid"] == 1
    assert {i["messageId"] for i in report["issues"]} == {2}
    item = listings.get_listing(client, FE_JP, "JP-TEE-1")
    assert item["attributes"]["item_name"][0]["value"] == title
    assert item["summaries"][0]["itemName"] == title


def test_barcodes_are_checked_and_known_ones_match_their_asin(eu_client):
    bad = shirt(EU_DE, "de_DE", "EUR", gtin="4006381333932")  # wrong check digit
    answer = listings.put_listing(eu_client, EU_DE, "BAD-GTIN", "SHIRT", bad, preview=True)
    assert [i["code"] for i in answer["issues"]] == ["8560"]
    # a known GTIN under another brand is accepted, then flagged once Amazon has looked
    known = shirt(EU_DE, "de_DE", "EUR", gtin="4006381333931", brand="Other")
    accepted = listings.put_listing(eu_client, EU_DE, "GTIN-1", "SHIRT", known)
    assert accepted["status"] == "ACCEPTED"
    item = _wait(lambda: (i := listings.get_listing(eu_client, EU_DE, "GTIN-1")) and i["issues"]
                 and i)  # fmt: skip
    assert item["issues"][0]["code"] == "8541" and item["summaries"][0]["status"] == []


def test_a_b2b_offer_sits_beside_the_standard_one_and_a_merge_of_one_keeps_the_other(eu_client):
    # maxUniqueItems 1 bounds the items per selector combination (the meta-schema), not the
    # combinations: an offer for audience ALL and one for B2B are both allowed
    attributes = shirt(EU_DE, "de_DE", "EUR", price=19.9)
    standard = {**attributes["purchasable_offer"][0], "audience": "ALL"}
    b2b = {"currency": "EUR", "marketplace_id": EU_DE, "audience": "B2B",
           "our_price": [{"schedule": [{"value_with_tax": 17.5}]}]}  # fmt: skip
    attributes["purchasable_offer"] = [standard, b2b]
    assert listings.put_listing(eu_client, EU_DE, "TEE-B2B", "SHIRT", attributes)["status"] == \
        "ACCEPTED"  # fmt: skip
    twice = shirt(EU_DE, "de_DE", "EUR")
    twice["purchasable_offer"] = [standard, {**standard, "our_price": b2b["our_price"]}]
    refused = listings.put_listing(eu_client, EU_DE, "TEE-TWICE", "SHIRT", twice, preview=True)
    assert refused["status"] == "INVALID"
    assert any("purchasable_offer" in i.get("attributeNames", []) for i in refused["issues"])
    # a merge of the standard offer's price leaves the B2B offer as it was
    new_price = [{"schedule": [{"value_with_tax": 21.0}]}]
    patched = listings.patch_listing(eu_client, EU_DE, "TEE-B2B", "SHIRT", [
        {"op": "merge", "path": "/attributes/purchasable_offer",
         "value": [{**standard, "our_price": new_price}]}])  # fmt: skip
    assert patched["status"] == "ACCEPTED"
    offers = listings.get_listing(eu_client, EU_DE, "TEE-B2B")["attributes"]["purchasable_offer"]
    by_audience = {o["audience"]: o["our_price"] for o in offers}
    assert by_audience == {"ALL": new_price, "B2B": b2b["our_price"]}
