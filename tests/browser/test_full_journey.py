"""From install to an imported order, inside the Shopify emulator's store admin, with a real
RQ worker, the SP-API emulator and nothing seeded into Crossport's database."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import requests
from playwright.sync_api import expect

from core.db import db
from core.models import AmazonAccount, Listing, OrderLink, ProductSnapshot, Shop
from jobs.queues import enqueue
from sandbox.server import serve_in_thread
from tests.browser.conftest import _Lazy, shot
from tests.support.workers import start_worker, worker_output

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOP = "journey-store.myshopify.com"
US = "ATVPDKIKX0DER"
# What the seller types for facts the store does not hold, when the live check asks.
ANSWERS = {
    "country_of_origin": "CN",
    "supplier_declared_dg_hz_regulation": "not_applicable",
    "gpsr_safety_attestation": "true",
    "batteries_required": "false",
    "supplier_declared_has_product_identifier_exemption": "true",
    "material": "Stoneware",
    "department": "unisex-adult",
    "brand": "Journey Co",
    "item_type_keyword": "coffee-mugs",
    "manufacturer": "Journey Co",
}


@pytest.fixture
def world(test_settings, specs_dir):
    from app import create_app
    from sandbox.amazon import create_emulator as create_amazon
    from sandbox.shopify.app import create_emulator as create_shopify
    from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator

    crossport_wsgi, shopify_wsgi = _Lazy(), _Lazy()
    crossport, shopify = serve_in_thread(crossport_wsgi), serve_in_thread(shopify_wsgi)
    amazon_server = serve_in_thread(create_amazon(**DEFAULT_OPTIONS))
    amazon = Emulator(amazon_server.url)
    settings = replace(
        test_settings,
        public_url=crossport.url,
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        amazon_consent_url=f"{amazon.url}/{{region}}/apps/authorize/consent",
        spapi_rate_speedup=SPEEDUP,
        shopify_admin_url_template=shopify.url + "/store/{shop}",
    )
    app = create_app({"SETTINGS": settings, "TESTING": True})
    crossport_wsgi.app = app
    shopify_wsgi.app = create_shopify(
        api_key=settings.shopify_api_key,
        api_secret=settings.shopify_api_secret,
        app_url=crossport.url,
        auto_approve=True,
    )
    requests.post(f"{shopify.url}/_sandbox/shops/{SHOP}", json={"seed": "demo"}, timeout=30)
    seller = amazon.new_seller(name="Journey Store")
    amazon.control("POST", "consent", json={"region": "NA", "seller_id": seller["seller_id"]})
    worker = start_worker(app.config["SETTINGS"])
    with app.app_context():
        yield {"app": app, "shopify": shopify, "amazon": amazon, "seller": seller, "worker": worker}
        worker.terminate()
        worker.wait(timeout=20)
        db.session.remove()
        db.engine.dispose()
    for server in (crossport, shopify, amazon_server):
        server.stop()


def wait_db(predicate, timeout=60.0, what="", worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    logs = worker_output(worker)[-3000:] if worker else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _listings(shop_id: int) -> list:
    return [
        (li.sku, li.status, li.amazon_issues, li.local_problems)
        for li in db.session.query(Listing).filter_by(shop_id=shop_id)
    ]


def go(frame, label):
    frame.locator("nav a", has_text=label).click()
    expect(frame.locator("h1")).to_contain_text(label, timeout=15000)


def run_to_the_end(frame, button):
    frame.locator(button).click()
    expect(frame.locator("#run")).to_be_visible()
    expect(frame.locator("#run-progress")).to_have_attribute("aria-valuenow", "100", timeout=90000)


def test_install_to_order_in_the_store_admin(page, world):
    worker = world["worker"]
    # install from the store admin: OAuth, then the app opens embedded
    page.goto(f"{world['shopify'].url}/store/{SHOP}/admin/")
    page.click("#install-app")
    frame = page.frame_locator("#app-iframe")
    expect(frame.locator("h1")).to_have_text("Dashboard", timeout=30000)
    shop = db.session.query(Shop).filter_by(domain=SHOP).one()
    shot(page, "30-journey-installed")

    # connect Amazon (NA) in a top-level window, choose the US marketplace, return address
    go(frame, "Onboarding")
    with page.expect_popup() as popup_info:
        frame.locator("#regions tr", has_text="NA").locator("button").click()
    popup = popup_info.value
    expect(popup.locator("h1")).to_have_text("Amazon connected", timeout=30000)
    popup.close()
    go(frame, "Dashboard")
    go(frame, "Onboarding")
    us = frame.locator(f"tr[data-marketplace={US}]")
    us.locator("input[type=checkbox]").check()
    expect(frame.locator("#toast")).to_have_text("Saved")
    us.locator("button").click()
    frame.locator("#addr-address1").fill("1 Harbour Road")
    frame.locator("#addr-city").fill("Seattle")
    frame.locator("#address-form button[value=save]").click()
    frame.locator("#import-catalogue").click()
    wait_db(
        lambda: db.session.query(ProductSnapshot).filter_by(shop_id=shop.id).count() >= 30,
        what="the catalogue import",
        worker=worker,
    )
    shot(page, "31-journey-onboarding")

    # one product: choose its Amazon product type, validate, answer what the check asks
    go(frame, "Products")
    frame.locator("#q").fill("Ceramic Mug 04")
    frame.locator("#filters button").click()
    frame.locator("#products a", has_text="Ceramic Mug 04").click()
    expect(frame.locator("#product-title")).to_have_text("Ceramic Mug 04", timeout=15000)
    frame.locator("#product-type").fill("KITCHEN")
    frame.locator("#type-form button").click()
    wait_db(
        lambda: (
            db.session.query(ProductSnapshot)
            .filter_by(shop_id=shop.id, title="Ceramic Mug 04", product_type="KITCHEN")
            .count()
        ),
        what="the product type to be saved",
        timeout=15,
    )
    run_to_the_end(frame, "#revalidate")
    # the check ran with Amazon's definition, now stored: the live plan uses it
    expect(frame.locator(".plan .problem[data-code=no_schema]")).to_have_count(0, timeout=15000)
    for _ in range(12):
        frame.locator(f"#market-tabs button[data-marketplace={US}]").click()
        missing = frame.locator(".plan .problem:has(input.fix-value)").filter(
            has=frame.locator("code", has_text="missing")
        )
        if missing.count() == 0:
            break
        attribute = missing.first.locator("strong").inner_text()
        missing.first.locator("input.fix-value").fill(ANSWERS.get(attribute, "Journey"))
        missing.first.locator("button").click()
        expect(frame.locator("#toast")).to_contain_text("Value saved")
        fixed = frame.locator(".plan .problem", has=frame.locator("strong", has_text=attribute))
        expect(fixed.filter(has=frame.locator("code", has_text="missing"))).to_have_count(0)
    shot(page, "32-journey-product-checked")

    # the store's barcode is not a valid GTIN: on the mapping page the seller declares the
    # product-identifier exemption for the whole KITCHEN type
    go(frame, "Mapping")
    exemption = "supplier_declared_has_product_identifier_exemption"
    try:
        expect(frame.locator("#product-type option[value=KITCHEN]")).to_have_count(1)
    except AssertionError as exc:
        shot(page, "33-journey-mapping-failed")
        toast = frame.locator("#toast").inner_text()
        raise AssertionError(f"{exc}\ntoast: {toast}\nerrors: {page.errors}") from None
    expect(frame.locator(f"select[name=source-{exemption}]")).to_be_visible()
    if frame.locator("#product-type").input_value() != "KITCHEN":
        frame.locator("#product-type").select_option("KITCHEN")
    frame.locator(f"select[name=source-{exemption}]").select_option("constant")
    frame.locator(f"select[name=value-{exemption}]").select_option("true")
    frame.locator("#save-mapping").click()
    expect(frame.locator("#toast")).to_have_text("Saved")
    shot(page, "33-journey-mapping")

    # trial run, then publish, with the progress bar reaching 100 %
    go(frame, "Products")
    frame.locator("#q").fill("Ceramic Mug 04")
    frame.locator("#filters button").click()
    frame.locator("#products tr", has_text="Ceramic Mug 04").locator("input").check()
    frame.locator("#marketplace").select_option(US)
    run_to_the_end(frame, "#trial")
    run_to_the_end(frame, "#publish")
    shot(page, "34-journey-published")
    sku = db.session.query(Listing.sku).filter_by(shop_id=shop.id, marketplace_id=US).first()
    assert sku is not None, worker_output(worker)[-3000:]
    wait_db(
        lambda: (
            db.session.query(Listing)
            .filter(Listing.shop_id == shop.id, Listing.status.in_(("submitted", "active")))
            .count()
        ),
        what=f"a submitted listing: {_listings(shop.id)}",
        worker=worker,
        timeout=20,
    )

    # an Amazon order arrives and becomes a store order
    world["amazon"].control(
        "POST",
        "orders",
        json={
            "seller_id": world["seller"]["seller_id"],
            "marketplace_id": US,
            "items": [{"sku": sku[0], "quantity": 1, "price": "24.00"}],
        },
    )
    account = db.session.query(AmazonAccount).filter_by(shop_id=shop.id, region="NA").one()
    enqueue("jobs.orders.import_orders", account.id, queue="orders", shop_id=shop.id)
    wait_db(
        lambda: db.session.query(OrderLink).filter_by(shop_id=shop.id, state="created").count(),
        timeout=60,
        what="the order import",
        worker=worker,
    )
    link = db.session.query(OrderLink).filter_by(shop_id=shop.id).one()
    store = requests.get(f"{world['shopify'].url}/_sandbox/shops/{SHOP}", timeout=10).json()
    assert [(o["source_identifier"], o["name"]) for o in store["orders"]] == [
        (link.amazon_order_id, link.store_order_name)
    ]
    go(frame, "Orders")
    row = frame.locator(f"#orders tr[data-order='{link.amazon_order_id}']")
    expect(row.locator(".badge")).to_have_text("Created in store")
    expect(row).to_contain_text(link.store_order_name)
    shot(page, "35-journey-order")

    go(frame, "Activity")
    expect(frame.locator("#calls tr[data-operation=getOrders]").first).to_be_visible()
    shot(page, "36-journey-activity")
    assert page.errors == []
