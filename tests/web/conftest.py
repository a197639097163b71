"""Fixtures for the page and API tests: shops with staff, and real signed store tokens."""

from __future__ import annotations

import time
from decimal import Decimal

import jwt
import pytest

from core.db import db
from core.models import (
    AmazonAccount,
    ApiCall,
    Listing,
    OrderLink,
    ProductSnapshot,
    Shop,
    TargetMarketplace,
    User,
    VariantSnapshot,
)

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"


def session_token(
    app,
    shop_domain: str,
    user_id: str = "1",
    *,
    expires_in: int = 60,
    secret: str | None = None,
    audience: str | None = None,
    **claims,
) -> str:
    """An App Bridge session token as Shopify's admin signs it (HS256 with the app secret)."""
    settings = app.config["SETTINGS"]
    now = int(time.time())
    body = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": audience or settings.shopify_api_key,
        "sub": user_id,
        "exp": now + expires_in,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": f"jti-{now}-{user_id}",
        "sid": "session-id",
    } | claims
    return jwt.encode(body, secret or settings.shopify_api_secret, algorithm="HS256")


def make_shop(domain: str, *, users: dict[str, str] | None = None) -> Shop:
    """A Shopify shop with US and DE enabled and the given staff ({user id: role})."""
    shop = Shop(platform="shopify", domain=domain, name=domain.split(".")[0], currency="USD")
    db.session.add(shop)
    db.session.flush()
    account = AmazonAccount(shop_id=shop.id, region="NA", selling_partner_id="A1SELLER")
    db.session.add(account)
    db.session.flush()
    for mid, country, currency, language in (
        (US, "US", "USD", "en_US"),
        (DE, "DE", "EUR", "de_DE"),
    ):
        db.session.add(
            TargetMarketplace(
                shop_id=shop.id,
                account_id=account.id,
                marketplace_id=mid,
                country_code=country,
                currency=currency,
                language=language,
                enabled=True,
            )
        )
    for user_id, role in (users or {}).items():
        db.session.add(
            User(shop_id=shop.id, platform_user_id=user_id, role=role, name=f"user {user_id}")
        )
    db.session.commit()
    return shop


def add_product(
    shop: Shop, title: str, sku: str, *, status: str | None = None, problems: list | None = None
) -> ProductSnapshot:
    product = ProductSnapshot(
        shop_id=shop.id,
        external_id=f"gid-{sku}",
        title=title,
        product_type="HOME",
        data={"title": title, "images": []},
    )
    db.session.add(product)
    db.session.flush()
    db.session.add(
        VariantSnapshot(
            shop_id=shop.id,
            product_id=product.id,
            external_id=f"v-{sku}",
            sku=sku,
            price=Decimal("19.90"),
            quantity=5,
            data={},
        )
    )
    if status:
        db.session.add(
            Listing(
                shop_id=shop.id,
                sku=sku,
                marketplace_id=US,
                status=status,
                product_type="HOME",
                local_problems=problems or [],
                payload={"productType": "HOME"},
                price_breakdown="19.90 USD",
            )
        )
    db.session.commit()
    return product


def add_order(shop: Shop, amazon_order_id: str, state: str = "created", error: str = ""):
    link = OrderLink(
        shop_id=shop.id,
        amazon_order_id=amazon_order_id,
        marketplace_id=US,
        state=state,
        error=error,
        amazon_status="Unshipped",
        currency="USD",
        total="19.90",
        store_order_name="#1001" if state == "created" else "",
    )
    db.session.add(link)
    db.session.commit()
    return link


def add_call(shop: Shop, operation: str, status_code: int = 200, codes=()):
    call = ApiCall(
        shop_id=shop.id,
        platform="amazon",
        operation=operation,
        method="PUT",
        url_path="/listings/2021-08-01/items",
        status_code=status_code,
        duration_ms=42,
        request_id=f"req-{operation}",
        error_codes=list(codes),
        marketplace_id=US,
    )
    db.session.add(call)
    db.session.commit()
    return call


@pytest.fixture
def shop_a(app):
    return make_shop("alpha.myshopify.com", users={"1": "owner", "2": "viewer", "3": "editor"})


@pytest.fixture
def shop_b(app):
    return make_shop("bravo.myshopify.com", users={"9": "owner"})


@pytest.fixture
def bearer(app):
    """bearer(shop, user_id) -> headers carrying a fresh session token for that staff member."""

    def make(shop: Shop, user_id: str = "1", **kwargs) -> dict:
        return {"Authorization": f"Bearer {session_token(app, shop.domain, user_id, **kwargs)}"}

    return make
