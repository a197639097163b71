"""The store adapter against the emulator: catalogue, stock, orders, fulfilments."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from integrations.shopify.adapter import ShopifyStore
from mapping.canonical import load_product


@pytest.fixture
def store(installed):
    env, shop = installed
    adapter = ShopifyStore.for_shop(shop)
    adapter.bulk_poll = 0.05  # the emulator finishes bulk queries in milliseconds
    return env, adapter


def _draft(amazon_id: str, sku: str, channel: str = "MFN", qty: int = 2) -> dict:
    return {
        "amazon_order_id": amazon_id,
        "marketplace_id": "A1PA6795UKMFR9",
        "currency": "EUR",
        "fulfillment_channel": channel,
        "purchase_date": "2026-11-20T10:00:00Z",
        "latest_ship_date": None,
        "status": "Unshipped",
        "lines": [
            {
                "sku": sku,
                "title": "Thing",
                "quantity": qty,
                "unit_price": "12.50",
                "tax": "4.75",
                "discount": "1.00",
            }
        ],
        "shipping": {"title": "Standard", "price": "4.99", "tax": "0.95", "discount": "0.00"},
        "taxes_included": True,
        "facilitator_tax": True,
        "shipping_address": {
            "name": "Erika Mustermann",
            "address1": "Hauptstr. 1",
            "address2": None,
            "city": "Berlin",
            "province": "BE",
            "zip": "10115",
            "country_code": "DE",
            "phone": None,
        },
        "buyer": {"name": "Erika", "email": "x@marketplace.amazon.de"},
        "source_name": "amazon",
        "tags": ["amazon-de"],
        "note": "Amazon DE",
    }


def _stock(env, sku: str) -> dict:
    return env.control("GET", f"/shops/{env.shop}")["variants"][sku]["levels"]


def test_full_catalogue_comes_through_a_bulk_operation_as_canonical_products(store):
    env, adapter = store
    products = list(adapter.iter_products())
    assert len(products) == 37
    for product in products:
        load_product(product)  # the agreed canonical shape
    by_title = {p["title"]: p for p in products}
    shirt = by_title["Linen Shirt 01"]
    assert [o["name"] for o in shirt["options"]] == ["Size", "Color"]
    assert len(shirt["variants"]) == 6 and shirt["variants"][0]["options"]["Size"] == "S"
    assert set(shirt["translations"]) == {"de", "fr", "ja"}
    assert shirt["translations"]["ja"]["title"].endswith("（日本語）")
    assert shirt["metafields"]["custom.material"] in {"cotton", "linen", "wool", "steel"}
    variant = shirt["variants"][0]
    assert variant["weight"]["unit"] == "kg" and variant["currency"] == "USD"
    # quantity counts only the location that fulfils online orders
    levels = _stock(env, variant["sku"])
    assert variant["quantity"] == levels[min(levels, key=int)]
    incomplete = by_title["Mystery Gadget"]
    assert incomplete["brand"] is None and incomplete["variants"][0]["barcode"] is None
    assert env.calls(env.shop, kind="graphql")[0]["operation"]  # every call is named


def test_changed_products_only_since_a_time(store):
    env, adapter = store
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time()))
    time.sleep(1.1)
    pid = next(iter(env.control("GET", f"/shops/{env.shop}")["products"]))
    env.control("POST", f"/shops/{env.shop}/products/{pid}", json={"title": "Renamed"})
    changed = list(adapter.iter_products(updated_since=since))
    assert [p["title"] for p in changed] == ["Renamed"]


def test_get_product_and_get_stock(store):
    env, adapter = store
    pid = next(iter(env.control("GET", f"/shops/{env.shop}")["products"]))
    product = adapter.get_product(pid)
    assert product["id"] == f"gid://shopify/Product/{pid}"
    assert adapter.get_product("gid://shopify/Product/1") is None
    env.control("POST", f"/shops/{env.shop}/stock", json={"sku": "DEMO-002", "quantity": 17})
    env.control(
        "POST", f"/shops/{env.shop}/stock", json={"sku": "DEMO-002", "quantity": 3, "location": 1}
    )
    assert adapter.get_stock(["DEMO-002", "NOPE"]) == {"DEMO-002": 17}


def test_create_order_is_idempotent_and_decrements_stock(store):
    env, adapter = store
    before = _stock(env, "DEMO-002")
    created = adapter.create_order(_draft("302-0000001-0000001", "DEMO-002"))
    again = adapter.create_order(_draft("302-0000001-0000001", "DEMO-002"))
    assert again.already_existed and again.store_order_id == created.store_order_id
    orders = env.control("GET", f"/shops/{env.shop}")["orders"]
    assert [o["source_identifier"] for o in orders] == ["302-0000001-0000001"]
    order = orders[0]
    assert order["source_name"] == "amazon" and order["currency"] == "EUR"
    assert order["line_items"][0]["requires_shipping"] is True
    assert order["line_items"][0]["price"] == "12.00"  # discount carried by the unit price
    assert order["line_items"][0]["tax_lines"][0]["channel_liable"] is True
    after = _stock(env, "DEMO-002")
    first_location = min(before, key=int)
    assert after[first_location] == before[first_location] - 2


def test_fba_order_is_created_fulfilled_without_taking_stock(store):
    env, adapter = store
    before = _stock(env, "DEMO-004")
    created = adapter.create_order(_draft("302-0000002-0000002", "DEMO-004", channel="AFN"))
    order = env.control("GET", f"/shops/{env.shop}")["orders"][0]
    assert order["fulfillment_status"] == "fulfilled"
    assert _stock(env, "DEMO-004") == before
    assert adapter.find_order_by_amazon_id("302-0000002-0000002").store_order_id == (
        created.store_order_id
    )
    assert adapter.find_order_by_amazon_id("302-0000002-000000") is None


def test_fulfilments_report_carrier_and_tracking_and_cancel_works(store):
    env, adapter = store
    created = adapter.create_order(_draft("302-0000003-0000003", "DEMO-002"))
    number = created.store_order_id.rsplit("/", 1)[1]
    assert adapter.list_fulfilments(created.store_order_id) == []
    env.control(
        "POST",
        f"/shops/{env.shop}/orders/{number}/fulfil",
        json={"company": "DHL", "number": "JD0123456789"},
    )
    [shipment] = adapter.list_fulfilments(created.store_order_id)
    assert (shipment.carrier, shipment.tracking_number) == ("DHL", "JD0123456789")
    assert shipment.amazon_order_id == "302-0000003-0000003"
    assert shipment.line_items == [{"sku": "DEMO-002", "quantity": 2}]
    other = adapter.create_order(_draft("302-0000004-0000004", "DEMO-002"))
    adapter.cancel_order(other.store_order_id, "Cancelled on Amazon")
    adapter.cancel_order(other.store_order_id, "Cancelled on Amazon")  # twice is harmless
    orders = env.control("GET", f"/shops/{env.shop}")["orders"]
    assert [o["cancelled_at"] is not None for o in orders] == [False, True]


def test_every_call_leaves_an_api_log_row(store):
    from core.db import db
    from core.models import ApiCall

    env, adapter = store
    adapter.get_stock(["DEMO-002"])
    rows = db.session.query(ApiCall).filter_by(operation="VariantsBySku").all()
    assert rows and rows[-1].platform == "shopify" and rows[-1].status_code == 200
    assert rows[-1].url_path.endswith("/admin/api/2026-07/graphql.json")


def test_a_large_catalogue_pages_through_stock_and_keeps_every_product(shopify_env):
    # given: 300 generated products (more than one page of 250 inventory levels)
    shopify_env.seed(products=300, prefix="BIG")
    adapter = ShopifyStore.for_shop(shopify_env.install())
    adapter.bulk_poll = 0.05
    products = list(adapter.iter_products())
    assert len(products) == 300
    quantities = {p["variants"][0]["sku"]: p["variants"][0]["quantity"] for p in products}
    assert quantities["BIG-000001"] == 1 and quantities["BIG-000299"] == 299 % 25
    assert all(p["translations"] == {} for p in products)


def _amazon_money(amount: str, currency: str) -> dict:
    return {"CurrencyCode": currency, "Amount": amount}


# The three Amazon orders (see tests/woocommerce/test_adapter.py): a Californian order
# whose tax Amazon collects as marketplace facilitator, a German VAT-inclusive order, and an
# Oregon order with shipping; quantity 3 so a unit price does not divide the line exactly.
AMAZON_ORDERS = {
    "US-CA": ("ATVPDKIKX0DER", "USD", "72.56", "CA", "US", "60.00", "4.35", "7.56", "0.65"),
    "DE": ("A1PA6795UKMFR9", "EUR", "34.37", "", "DE", "29.99", "4.79", "4.38", "0.70"),
    "US-OR": ("ATVPDKIKX0DER", "USD", "20.91", "OR", "US", "19.50", "0.00", "1.41", "0.00"),
}


@pytest.mark.parametrize("case", list(AMAZON_ORDERS))
def test_the_store_order_totals_are_amazons_and_no_email_reaches_the_buyer(store, case):
    from mapping.orders import amazon_order_to_store_order

    env, adapter = store
    market, currency, total, province, country, price, tax, ship, ship_tax = AMAZON_ORDERS[case]
    amazon_id = f"303-{list(AMAZON_ORDERS).index(case):07d}-0000001"
    item = {
        "SellerSKU": "DEMO-002",
        "Title": "Thing",
        "QuantityOrdered": 3,
        "ItemPrice": _amazon_money(price, currency),
        "ItemTax": _amazon_money(tax, currency),
        "ShippingPrice": _amazon_money(ship, currency),
        "ShippingTax": _amazon_money(ship_tax, currency),
    }
    if country == "US":
        item["TaxCollection"] = {"Model": "MarketplaceFacilitator", "ResponsibleParty": "Amazon"}
    head = {
        "AmazonOrderId": amazon_id,
        "MarketplaceId": market,
        "PurchaseDate": "2026-11-26T10:00:00Z",
        "OrderStatus": "Unshipped",
        "OrderTotal": _amazon_money(total, currency),
        "ShipServiceLevel": "Std",
    }
    address = {"Name": "Pat Buyer", "AddressLine1": "1 Main St", "City": "Town"}
    address.update(StateOrRegion=province, CountryCode=country)
    buyer = {"BuyerEmail": "relay@marketplace.amazon.example", "BuyerName": "Pat Buyer"}
    draft = amazon_order_to_store_order(head, [item], address=address, buyer=buyer)

    created = adapter.create_order(draft)
    [order] = env.control("GET", f"/shops/{env.shop}")["orders"]
    assert order["total_price"] == total
    assert Decimal(order["total_tax"]) == Decimal(tax) + Decimal(ship_tax)
    assert order["taxes_included"] is (country == "DE")
    liable = {t["channel_liable"] for li in order["line_items"] for t in li["tax_lines"]}
    assert liable <= {country == "US"}  # Amazon remits US sales tax: the channel is liable
    # The merchant ships it from the admin (whose notify box is offered when the order has an
    # e-mail) and Amazon cancels another: Shopify e-mails nobody.
    number = created.store_order_id.rsplit("/", 1)[1]
    env.control("POST", f"/shops/{env.shop}/orders/{number}/fulfil", json={"number": "1Z1"})
    adapter.cancel_order(
        adapter.create_order({**draft, "amazon_order_id": amazon_id + "9"}).store_order_id, "x"
    )
    assert env.control("GET", f"/shops/{env.shop}")["emails"] == []
