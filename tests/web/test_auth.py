"""The tenant comes from a verified token only: forged, expired, foreign and missing tokens."""

from __future__ import annotations

from core.db import db
from core.models import User
from tests.web.conftest import make_shop, session_token


def test_no_token_is_401_with_a_code_the_page_renews_on(client, shop_a):
    response = client.get("/api/products")
    assert response.status_code == 401
    assert response.json["error"] == "token_missing"


def test_expired_token_is_401_token_expired(app, client, shop_a):
    token = session_token(app, shop_a.domain, "1", expires_in=-60)
    response = client.get("/api/products", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"] == "token_expired"
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_token_signed_with_another_secret_is_refused(app, client, shop_a):
    forged = session_token(app, shop_a.domain, "1", secret="not-the-app-secret-at-all-xxxxxx")
    response = client.get("/api/products", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json["error"] == "token_invalid"


def test_token_for_another_app_is_refused(app, client, shop_a):
    other_app = session_token(app, shop_a.domain, "1", audience="another-apps-api-key")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {other_app}"})
    assert response.status_code == 401


def test_issuer_and_destination_must_name_the_same_shop(app, client, shop_a, shop_b):
    token = session_token(app, shop_a.domain, "1", iss=f"https://{shop_b.domain}/admin")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"] == "token_invalid"


def test_unsigned_token_is_refused(app, client, shop_a):
    import jwt

    token = jwt.encode({"dest": f"https://{shop_a.domain}", "sub": "1"}, key=None, algorithm="none")
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_shop_that_has_not_installed_gets_shop_not_installed(client, bearer, app):
    from core.models import Shop

    ghost = Shop(platform="shopify", domain="ghost.myshopify.com", status="uninstalled")
    response = client.get("/api/me", headers=bearer(ghost))
    assert response.status_code == 401
    assert response.json["error"] == "shop_not_installed"


def test_first_staff_member_becomes_owner_and_later_ones_viewers(app, client, bearer):
    shop = make_shop("fresh.myshopify.com")
    first = client.get("/api/me", headers=bearer(shop, "100"))
    second = client.get("/api/me", headers=bearer(shop, "200"))
    assert first.json["user"]["role"] == "owner"
    assert second.json["user"]["role"] == "viewer"
    assert db.session.query(User).filter_by(shop_id=shop.id).count() == 2


def test_page_load_with_expired_token_still_renders_and_leaves_renewal_to_the_page(
    app, client, shop_a
):
    token = session_token(app, shop_a.domain, "1", expires_in=-60)
    response = client.get(f"/app/products?id_token={token}")
    assert response.status_code == 200
    assert b'"auth_error": "token_expired"' in response.data
