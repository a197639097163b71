"""Amazon order → store order draft."""

import pytest
from marshmallow import ValidationError

from mapping.orders import amazon_order_to_store_order


def _order(**extra):
    order = {
        "AmazonOrderId": "902-3159896-1390916",
        "MarketplaceId": "ATVPDKIKX0DER",
        "PurchaseDate": "2026-11-20T10:00:00Z",
        "LatestShipDate": "2026-11-22T23:59:59Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "63.67"},
        "BuyerInfo": {"BuyerEmail": "abc@marketplace.amazon.com"},
        "SomethingNew": 1,
    }
    order.update(extra)
    return order


US_ITEMS = [
    {
        "SellerSKU": "VASE-1",
        "Title": "Vase",
        "QuantityOrdered": 2,
        "OrderItemId": "1",
        "ItemPrice": {"CurrencyCode": "USD", "Amount": "59.80"},
        "ItemTax": {"CurrencyCode": "USD", "Amount": "4.79"},
        "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "5.00"},
        "PromotionDiscountTax": {"CurrencyCode": "USD", "Amount": "0.40"},
        "PromotionIds": ["BLACKFRIDAY"],
        "ShippingPrice": {"CurrencyCode": "USD", "Amount": "4.99"},
        "ShippingTax": {"CurrencyCode": "USD", "Amount": "0.40"},
        "ShippingDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
        "TaxCollection": {"Model": "MarketplaceFacilitator", "ResponsibleParty": "Amazon Services"},
    },
    {
        "SellerSKU": "GONE",
        "Title": "Cancelled",
        "QuantityOrdered": 0,
        "ItemPrice": {"CurrencyCode": "USD", "Amount": "0.00"},
    },
]


def test_us_order_with_facilitator_tax_promotion_and_shipping():
    draft = amazon_order_to_store_order(_order(), US_ITEMS)
    assert draft["lines"] == [
        {
            "sku": "VASE-1",
            "title": "Vase",
            "quantity": 2,
            "unit_price": "29.90",
            "line_price": "59.80",
            "tax": "4.39",
            "discount": "5.00",
        }
    ]
    assert draft["shipping"] == {
        "title": "Std US D2D Dom",
        "price": "4.99",
        "tax": "0.40",
        "discount": "0.00",
    }
    assert (draft["currency"], draft["taxes_included"], draft["facilitator_tax"]) == (
        "USD",
        False,
        True,
    )
    assert draft["fulfillment_channel"] == "MFN"
    assert draft["latest_ship_date"] == "2026-11-22T23:59:59Z"
    assert "promo:BLACKFRIDAY" in draft["tags"] and "marketplace facilitator" in draft["note"]
    assert draft["buyer"] == {"name": None, "email": "abc@marketplace.amazon.com"}
    assert draft["shipping_address"] is None  # not released: nothing invented


def test_fba_order_in_germany_is_tax_inclusive_and_marked_already_shipped():
    order = _order(
        MarketplaceId="A1PA6795UKMFR9",
        FulfillmentChannel="AFN",
        OrderStatus="Shipped",
        OrderTotal={"CurrencyCode": "EUR", "Amount": "30.99"},
        BuyerInfo=None,
        ShipServiceLevel=None,
    )
    items = [
        {
            "SellerSKU": "VASE-1",
            "Title": "Keramikvase",
            "QuantityOrdered": 1,
            "ItemPrice": {"CurrencyCode": "EUR", "Amount": "30.99"},
            "ItemTax": {"CurrencyCode": "EUR", "Amount": "4.95"},
        }
    ]
    address = {
        "Name": "Erika Mustermann",
        "AddressLine1": "Heidestr. 17",
        "City": "Köln",
        "PostalCode": "51147",
        "CountryCode": "DE",
    }
    draft = amazon_order_to_store_order(order, items, address=address)
    assert draft["fulfillment_channel"] == "AFN" and "FBA" in draft["tags"]
    assert "do not ship or take stock" in draft["note"]
    assert draft["taxes_included"] is True and draft["facilitator_tax"] is False
    assert draft["lines"][0]["unit_price"] == "30.99" and draft["lines"][0]["tax"] == "4.95"
    assert draft["shipping"] is None and draft["buyer"] is None
    assert draft["shipping_address"]["city"] == "Köln"
    assert draft["shipping_address"]["country_code"] == "DE"


def test_japanese_yen_has_no_decimals():
    order = _order(
        MarketplaceId="A1VC38T7YXB528", OrderTotal={"CurrencyCode": "JPY", "Amount": "4980"}
    )
    items = [
        {
            "SellerSKU": "V",
            "Title": "花瓶",
            "QuantityOrdered": 3,
            "ItemPrice": {"CurrencyCode": "JPY", "Amount": "14940"},
        }
    ]
    draft = amazon_order_to_store_order(order, items)
    assert draft["lines"][0]["unit_price"] == "4980" and draft["currency"] == "JPY"


def test_an_order_without_id_is_rejected_at_the_boundary():
    with pytest.raises(ValidationError):
        amazon_order_to_store_order({"MarketplaceId": "X"}, [])


def test_the_line_price_is_amazons_exact_item_price_not_a_rounded_unit_times_quantity():
    order = {"AmazonOrderId": "111-0000000-0000009", "MarketplaceId": "ATVPDKIKX0DER"}
    item = {
        "SellerSKU": "PEN-3",
        "QuantityOrdered": 3,
        "ItemPrice": {"CurrencyCode": "USD", "Amount": "10.00"},
    }
    [line] = amazon_order_to_store_order(order, [item])["lines"]
    assert (line["unit_price"], line["line_price"]) == ("3.33", "10.00")  # 3 x 3.33 = 9.99
