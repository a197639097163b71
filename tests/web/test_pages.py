"""Server-rendered pages: escaping, languages, App Bridge loading, the landing page."""

from __future__ import annotations

import json

from tests.web.conftest import add_product, session_token

EVIL = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


def token_query(app, shop, user="1") -> str:
    return "id_token=" + session_token(app, shop.domain, user)


def test_script_title_is_text_in_the_server_rendered_page(app, client, shop_a):
    product = add_product(shop_a, EVIL, "EVIL-1", status="problems")
    html = client.get(f"/app/products/{product.id}?{token_query(app, shop_a)}").get_data(
        as_text=True
    )
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html


def test_script_title_comes_back_from_the_api_as_plain_data(client, shop_a, bearer):
    add_product(shop_a, EVIL, "EVIL-1", status="problems")
    response = client.get("/api/products", headers=bearer(shop_a))
    assert response.json["items"][0]["title"] == EVIL
    assert response.mimetype == "application/json"


def test_boot_data_cannot_close_its_script_element(app, client, shop_a):
    shop_a.name = "</script><script>alert(1)</script>"
    from core.db import db

    db.session.commit()
    html = client.get(f"/app?{token_query(app, shop_a)}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html


def test_chinese_admin_locale_serves_simplified_chinese(client):
    html = client.get("/app/products?locale=zh-CN").get_data(as_text=True)
    assert 'lang="zh-Hans"' in html
    assert "商品" in html and "发布" in html and "预校验" in html
    assert ">Publish<" not in html
    strings = json.loads(html.split('id="crossport-boot">', 1)[1].split("</script>", 1)[0])
    assert strings["strings"]["status.not_mapped"] == "未映射"


def test_english_by_default(client):
    html = client.get("/app/products").get_data(as_text=True)
    assert ">Publish<" in html and 'lang="en"' in html


def test_a_staff_members_language_choice_is_remembered(app, client, shop_a, bearer):
    changed = client.put("/api/me/locale", json={"locale": "zh_Hans"}, headers=bearer(shop_a))
    assert changed.json["locale"] == "zh_Hans"
    mine = client.get(f"/app/orders?{token_query(app, shop_a)}&locale=en").get_data(as_text=True)
    assert "订单" in mine
    theirs = client.get(f"/app/orders?{token_query(app, shop_a, '2')}").get_data(as_text=True)
    assert "订单" not in theirs


def test_production_loads_app_bridge_from_shopify_and_the_sandbox_does_not(app_factory):
    production = app_factory(sandbox=False).test_client().get("/app?shop=alpha.myshopify.com")
    html = production.get_data(as_text=True)
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in html
    assert '<meta name="shopify-api-key" content="test-api-key">' in html
    assert "https://cdn.shopify.com" in production.headers["Content-Security-Policy"]
    sandbox = app_factory(sandbox=True).test_client().get("/app?shop=alpha.myshopify.com")
    assert "cdn.shopify.com" not in sandbox.get_data(as_text=True)


def test_sandbox_loads_the_emulators_app_bridge(app_factory):
    template = "http://127.0.0.1:8102/store/{shop}"
    client = app_factory(shopify_admin_url_template=template).test_client()
    response = client.get("/app?shop=alpha.myshopify.com&host=abc")
    src = "http://127.0.0.1:8102/store/alpha.myshopify.com/admin/app-bridge.js"
    assert f'<script src="{src}"></script>' in response.get_data(as_text=True)
    hostile = client.get("/app?shop=evil.example.com")
    assert "app-bridge.js" not in hostile.get_data(as_text=True)


def test_pages_may_only_be_framed_by_the_store_admin(app, client, shop_a):
    response = client.get(f"/app?{token_query(app, shop_a)}")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://alpha.myshopify.com https://admin.shopify.com" in policy


def test_landing_page_links_the_demo_store_admins(client, monkeypatch):
    links = [
        {"label": "Shopify demo store", "url": "http://127.0.0.1:8102/store/demo/admin"},
        {"label": "bad", "url": "javascript:alert(1)"},
    ]
    monkeypatch.setenv("CROSSPORT_DEMO_LINKS", json.dumps(links))
    html = client.get("/").get_data(as_text=True)
    assert "http://127.0.0.1:8102/store/demo/admin" in html
    assert "javascript:" not in html


def test_every_section_renders(app, client, shop_a):
    product = add_product(shop_a, "Vase", "V-1")
    query = token_query(app, shop_a)
    for path in (
        "/app",
        "/app/dashboard",
        "/app/onboarding",
        "/app/products",
        "/app/mapping",
        "/app/pricing",
        "/app/orders",
        "/app/activity",
        "/app/team",
        f"/app/products/{product.id}",
    ):
        assert client.get(f"{path}?{query}").status_code == 200, path
    assert client.get(f"/app/nowhere?{query}").status_code == 404
