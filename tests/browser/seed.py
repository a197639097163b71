"""One Shopify shop seeded straight into Crossport's database for the browser tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from core.db import db, utcnow
from core.models import (
    Alert,
    AmazonAccount,
    ApiCall,
    JobRun,
    Listing,
    OrderLink,
    ProductSnapshot,
    SchemaCache,
    Shop,
    StoreConnection,
    TargetMarketplace,
    User,
    VariantSnapshot,
)

SHOP = "alpha.myshopify.com"
OWNER = "42"  # the user id the Shopify emulator's admin puts in its session tokens
US, DE, JP = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"
EVIL_TITLE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned=2">'

SCHEMA = {
    "$defs": {},
    "required": ["item_name", "brand"],
    "properties": {
        "item_name": {
            "title": "Title",
            "description": "The product name shown to buyers",
            "items": {"properties": {"value": {"type": "string"}}},
        },
        "brand": {"title": "Brand", "items": {"properties": {"value": {"type": "string"}}}},
        "color": {
            "title": "Colour",
            "items": {
                "properties": {
                    "value": {
                        "type": "string",
                        "enum": ["white", "blue"],
                        "enumNames": ["White", "Blue"],
                    }
                }
            },
        },
        "batteries_required": {
            "title": "Batteries required",
            "items": {"properties": {"value": {"type": "boolean"}}},
        },
        "battery": {
            "title": "Battery type",
            "items": {"properties": {"value": {"type": "string"}}},
        },
    },
    "allOf": [
        {
            "if": {
                "required": ["batteries_required"],
                "properties": {
                    "batteries_required": {"contains": {"properties": {"value": {"const": True}}}}
                },
            },
            "then": {"required": ["battery"]},
        }
    ],
}
ENVELOPE = {
    "displayName": "Home decor",
    "propertyGroups": {
        "product_identity": {"title": "Product Identity", "propertyNames": ["item_name", "brand"]},
        "details": {"title": "Product Details", "propertyNames": ["color"]},
        "safety": {
            "title": "Safety & Compliance",
            "propertyNames": ["batteries_required", "battery"],
        },
    },
}

MISSING_BRAND = {
    "attribute": "brand",
    "marketplace_id": DE,
    "code": "MISSING_REQUIRED",
    "message": "Brand is required on Amazon.de",
    "fix": "Map a brand",
    "severity": "error",
}
AMAZON_ISSUE = {
    "code": "90220",
    "message": "'brand' is required but not supplied.",
    "severity": "ERROR",
    "attributeNames": ["brand"],
}


def canonical(title: str, sku: str, price: str) -> dict:
    """The store product as the store adapters hand it over (see /tmp canonical shapes)."""
    return {
        "id": f"gid://shopify/Product/{sku}",
        "title": title,
        "description_html": f"<p>{title}, glazed by hand.</p>",
        "brand": None,
        "category": "Home decor",
        "tags": ["ceramic"],
        "status": "active",
        "updated_at": "2026-11-20T10:00:00Z",
        "options": [{"name": "Color", "values": ["White"]}],
        "images": ["https://cdn.example.com/vase.jpg"],
        "metafields": {},
        "translations": {},
        "variants": [
            {
                "id": f"gid://shopify/ProductVariant/{sku}",
                "sku": sku,
                "barcode": "4006381333931",
                "price": price,
                "compare_at_price": None,
                "currency": "USD",
                "quantity": 12,
                "inventory_item_id": None,
                "weight": {"value": 1.2, "unit": "kg"},
                "dimensions": None,
                "options": {"Color": "White"},
                "image": None,
                "metafields": {},
            }
        ],
    }


def _product(shop, title, sku, statuses: dict, problems=None, issues=None, price="29.90"):
    product = ProductSnapshot(
        shop_id=shop.id,
        external_id=f"gid://shopify/Product/{sku}",
        title=title,
        product_type="HOME",
        data=canonical(title, sku, price),
    )
    db.session.add(product)
    db.session.flush()
    db.session.add(
        VariantSnapshot(
            shop_id=shop.id,
            product_id=product.id,
            external_id=sku,
            sku=sku,
            barcode="4006381333931",
            price=Decimal(price),
            quantity=12,
            data={"options": {"Color": "White"}},
        )
    )
    for marketplace_id, status in statuses.items():
        db.session.add(
            Listing(
                shop_id=shop.id,
                sku=sku,
                marketplace_id=marketplace_id,
                status=status,
                product_type="HOME",
                price=Decimal(price),
                local_problems=(problems or []) if status == "problems" else [],
                amazon_issues=(issues or []) if status in ("problems", "error") else [],
                payload={"productType": "HOME", "attributes": {"item_name": [{"value": title}]}},
                price_breakdown=f"{price} USD × 0.9234 = 27.61 EUR, ends .99 → 27.99",
            )
        )
    return product


def seed_shop() -> dict:
    """A shop with staff, Amazon NA+EU, products in every status, orders, calls and runs."""
    shop = Shop(platform="shopify", domain=SHOP, name="Alpha Ceramics", currency="USD")
    db.session.add(shop)
    db.session.flush()
    db.session.add(
        StoreConnection(
            shop_id=shop.id,
            base_url=f"https://{SHOP}",
            access_token="shpat_test",
            status="connected",
        )
    )
    db.session.add(
        User(
            shop_id=shop.id,
            platform_user_id=OWNER,
            role="owner",
            name="Ana Owner",
            email="ana@example.com",
        )
    )
    db.session.add(User(shop_id=shop.id, platform_user_id="77", role="viewer", name="Vic Viewer"))
    markets = {}
    for region, entries in (
        ("NA", [(US, "US", "USD", "en_US", True)]),
        ("EU", [(DE, "DE", "EUR", "de_DE", True)]),
    ):
        account = AmazonAccount(shop_id=shop.id, region=region, selling_partner_id=f"A{region}SP")
        db.session.add(account)
        db.session.flush()
        for mid, country, currency, language, enabled in entries:
            markets[mid] = TargetMarketplace(
                shop_id=shop.id,
                account_id=account.id,
                marketplace_id=mid,
                country_code=country,
                currency=currency,
                language=language,
                enabled=enabled,
                return_address={
                    "name": "Alpha",
                    "address1": "1 Main St",
                    "city": "Austin",
                    "country_code": country,
                }
                if country == "US"
                else {},
            )
            db.session.add(markets[mid])
    for mid, locale in ((US, "en_US"), (DE, "de_DE")):
        db.session.add(
            SchemaCache(
                product_type="HOME",
                marketplace_id=mid,
                locale=locale,
                version="v1",
                envelope=ENVELOPE,
                schema=SCHEMA,
            )
        )
    products = {
        "vase": _product(
            shop,
            "Blue ceramic vase",
            "VASE-BLUE",
            {US: "active", DE: "problems"},
            problems=[MISSING_BRAND],
            issues=[AMAZON_ISSUE],
        ),
        "lamp": _product(shop, "Table lamp", "LAMP-1", {US: "ready", DE: "ready"}),
        "mug": _product(shop, "Stoneware mug", "MUG-1", {US: "submitted"}),
        "bowl": _product(shop, "Serving bowl", "BOWL-1", {US: "error"}, issues=[AMAZON_ISSUE]),
        "evil": _product(shop, EVIL_TITLE, "EVIL-1", {}),
    }
    now = utcnow()
    orders = [
        OrderLink(
            shop_id=shop.id,
            amazon_order_id="111-4455667-1234567",
            marketplace_id=US,
            amazon_status="Shipped",
            state="shipped",
            store_order_id="gid://Order/1",
            store_order_name="#1001",
            currency="USD",
            total="29.90",
            purchase_date=now - timedelta(days=1),
            shipment={"carrier": "UPS", "tracking_number": "1Z999", "confirmed_at": "x"},
        ),
        OrderLink(
            shop_id=shop.id,
            amazon_order_id="302-1122334-7654321",
            marketplace_id=DE,
            amazon_status="Unshipped",
            state="created",
            store_order_id="gid://Order/2",
            store_order_name="#1002",
            currency="EUR",
            total="27.99",
            purchase_date=now - timedelta(days=2),
        ),
        OrderLink(
            shop_id=shop.id,
            amazon_order_id="111-9999999-0000001",
            marketplace_id=US,
            amazon_status="Unshipped",
            state="failed",
            currency="USD",
            total="12.00",
            error="SKU GHOST-1 is not in the store",
            attempts=3,
            purchase_date=now - timedelta(hours=3),
        ),
    ]
    db.session.add_all(orders)
    for operation, status, codes, marketplace in (
        ("getOrders", 200, [], US),
        ("putListingsItem", 400, ["90220"], DE),
        ("createFeed", 202, [], DE),
        ("orderCreate", 200, [], None),
    ):
        db.session.add(
            ApiCall(
                shop_id=shop.id,
                platform="amazon" if operation != "orderCreate" else "shopify",
                operation=operation,
                marketplace_id=marketplace,
                method="POST",
                url_path="/x",
                status_code=status,
                duration_ms=87,
                request_id=f"rid-{operation}",
                error_codes=codes,
                error_message="brand missing" if codes else "",
            )
        )
    db.session.add(
        JobRun(
            shop_id=shop.id,
            kind="catalogue_import",
            title="Import the store catalogue",
            status="done",
            total=5,
            done=5,
            started_at=now,
            finished_at=now,
            message="5 products imported",
        )
    )
    db.session.add(
        Alert(
            shop_id=shop.id,
            kind="listing_issues",
            severity="warning",
            message="2 listings have problems on Amazon.de",
        )
    )
    db.session.commit()
    return {
        "shop": shop.id,
        **{name: p.id for name, p in products.items()},
        "failed_order": orders[2].id,
    }
