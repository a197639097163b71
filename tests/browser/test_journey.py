"""The seller's pages in a real browser, inside the Shopify emulator's store admin; validate,
trial run and publish are run by a real RQ worker, against the SP-API emulator."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import AmazonAccount, ApiCall, JobRun, Listing, MappingProfile
from jobs.queues import get_queue
from sandbox.server import serve_in_thread
from tests.browser import seed
from tests.browser.conftest import running_live, shot
from tests.support.workers import start_worker, worker_output

pytestmark = pytest.mark.browser


@pytest.fixture
def live_with_amazon(test_settings, specs_dir):
    """The seeded shop, its Amazon accounts being those of a seller in the SP-API emulator."""
    from sandbox.amazon import create_emulator
    from tests.amazon.conftest import DEFAULT_OPTIONS, SPEEDUP, Emulator

    server = serve_in_thread(create_emulator(**DEFAULT_OPTIONS))
    amazon = Emulator(server.url)
    overrides = {
        "spapi_endpoints": amazon.endpoints(),
        "lwa_token_url": f"{amazon.url}/auth/o2/token",
        "amazon_consent_url": f"{amazon.url}/{{region}}/apps/authorize/consent",
        "spapi_rate_speedup": SPEEDUP,
    }
    try:
        with running_live(test_settings, **overrides) as running:
            seller = amazon.new_seller(name="Alpha")
            with running.app.app_context():
                for account in db.session.query(AmazonAccount):
                    account.selling_partner_id = seller["seller_id"]
                    account.refresh_token = seller["refresh_tokens"][account.region]
                db.session.commit()
            running.amazon = amazon
            yield running
        assert amazon.violations() == [], "the SP-API contract was broken"
    finally:
        server.stop()


def open_crossport(page, live):
    """The merchant's way in: the store admin, then the app's entry in its menu."""
    page.goto(live.admin_url)
    page.click("#open-app")
    frame = page.frame_locator("#app-iframe")
    expect(frame.locator("h1")).to_have_text("Dashboard", timeout=15000)
    return frame


def go(frame, section_label):
    frame.locator("nav a", has_text=section_label).click()
    expect(frame.locator("h1")).to_contain_text(section_label, timeout=15000)


def known_runs(live) -> set[int]:
    with live.app.app_context():
        return {run_id for (run_id,) in db.session.query(JobRun.id).filter_by(kind="publish")}


def publish_with_progress(page, frame, live, button: str, name: str) -> int:
    """Start a run from the page; a real RQ worker (burst, listings queue) runs the real job
    while the page's progress bar follows its JobRun row to 100 %."""
    before = known_runs(live)
    frame.locator(f"#{button}").click()
    expect(frame.locator("#run")).to_be_visible()  # the run is queued: its id is on the page
    worker = start_worker(live.app.config["SETTINGS"], burst=True, queues="listings")
    try:
        expect(frame.locator("#run-progress")).to_have_attribute(
            "aria-valuenow", "100", timeout=60000
        )
        expect(frame.locator("#run-status .badge")).to_have_attribute("data-status", "done")
        worker.wait(timeout=60)
    except Exception as exc:
        worker.kill()
        raise AssertionError(f"{exc}\nworker:\n{worker_output(worker)[-3000:]}") from None
    shot(page, name)
    with live.app.app_context():
        # publish runs only: a mapping saved on the page also queued a run updating live listings
        (run_id,) = known_runs(live) - before
    return run_id


def test_seller_journey_in_english(page, live_with_amazon):
    live = live_with_amazon
    frame = open_crossport(page, live)
    expect(frame.locator("#api-calls")).to_have_text("4")
    shot(page, "01-dashboard")

    go(frame, "Onboarding")
    checklist = frame.locator("#checklist")
    expect(checklist.locator("li[data-key=amazon_connected]")).to_have_class("done")
    expect(checklist.locator("li[data-key=return_addresses]")).not_to_have_class("done")
    expect(frame.locator("#marketplaces tr[data-marketplace=A1PA6795UKMFR9]")).to_contain_text(
        "EUR"
    )
    # the seller adds the German return address; the checklist item is then done
    frame.locator("tr[data-marketplace=A1PA6795UKMFR9] button").click()
    frame.locator("#addr-address1").fill("Hauptstraße 1")
    frame.locator("#addr-city").fill("Berlin")
    frame.locator("#address-form button[value=save]").click()
    expect(checklist.locator("li[data-key=return_addresses]")).to_have_class("done")
    shot(page, "02-onboarding")

    go(frame, "Products")
    rows = frame.locator("#products tr")
    expect(rows).to_have_count(5)
    vase = frame.locator(f"#products tr[data-product-id='{live.ids['vase']}']")
    expect(vase.locator("[data-marketplace=ATVPDKIKX0DER] .badge")).to_have_text("Active")
    expect(vase.locator("[data-marketplace=A1PA6795UKMFR9] .badge")).to_have_text("Problems")
    # a title holding markup is shown as text and never runs
    evil = frame.locator(f"#products tr[data-product-id='{live.ids['evil']}'] a")
    expect(evil).to_have_text(seed.EVIL_TITLE)
    shot(page, "03-products")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    expect(frame.locator("nav a[aria-current=page] .icon")).to_be_visible()
    shot(page, "03b-products-tablet")
    page.set_viewport_size({"width": 1280, "height": 860})

    for name in ("lamp", "mug"):
        frame.locator(f"#products tr[data-product-id='{live.ids[name]}'] input").check()
    expect(frame.locator("#selected-count")).to_have_text("2 selected")
    validate_run = publish_with_progress(page, frame, live, "validate", "04-validate-progress")
    with live.app.app_context():
        run = db.session.get(JobRun, validate_run)
        # two products in two marketplaces, all without a brand yet: nothing would be sent
        assert (run.status, run.total, run.done, run.failed) == ("done", 4, 0, 4)
        assert run.message == "0 ready, 4 with problems"

    # a product with problems: the exact payload, the codes, the fix
    vase.locator("a").click()
    expect(frame.locator("#product-title")).to_have_text("Blue ceramic vase", timeout=15000)
    frame.locator("#market-tabs button[data-marketplace=A1PA6795UKMFR9]").click()
    panel = frame.locator("#market-panel")
    missing_brand = panel.locator(".plan .problem[data-code=missing]", has_text="Brand")
    expect(missing_brand).to_be_visible()
    expect(panel.locator(".listing .problem[data-code='90220']")).to_be_visible()
    expect(panel.locator(".plan pre.payload")).to_contain_text('"productType": "HOME"')
    expect(panel.locator(".plan .breakdown")).to_contain_text("0.9234")
    shot(page, "07-product-problems")
    missing_brand.locator("input.fix-value").fill("Alpha Ceramics")
    missing_brand.locator("button").click()
    expect(frame.locator("#toast")).to_contain_text("Value saved")
    # the live check runs again: the brand problem is gone, the payload carries the brand
    expect(panel.locator(".plan .problem[data-code=missing]", has_text="Brand")).to_have_count(0)
    expect(panel.locator(".plan pre.payload")).to_contain_text("Alpha Ceramics")
    with live.app.app_context():
        profile = db.session.query(MappingProfile).filter_by(product_type="HOME").one()
        assert profile.attributes["brand"] == {"source": "constant", "value": "Alpha Ceramics"}
    shot(page, "08-product-fixed")

    # the brand is the product type's now: a trial run, then the publish, go to Amazon, whose
    # own HOME definition asks for more than this shop maps yet, so it answers with issues
    go(frame, "Products")
    for name in ("lamp", "mug"):
        frame.locator(f"#products tr[data-product-id='{live.ids[name]}'] input").check()
    trial_run = publish_with_progress(page, frame, live, "trial", "05-trial-progress")
    publish_run = publish_with_progress(page, frame, live, "publish", "06-publish-progress")
    sent = live.amazon.calls("putListingsItem")
    assert [c["status"] for c in sent] == [200] * 8, sent  # 4 listings, trial then publish
    with live.app.app_context():
        runs = [db.session.get(JobRun, i) for i in (validate_run, trial_run, publish_run)]
        assert [r.details["mode"] for r in runs] == ["validate", "trial", "publish"]
        assert [(r.status, r.total, r.done, r.failed) for r in runs] == [("done", 4, 0, 4)] * 3
        summaries = [r.details["summary"] for r in runs[1:]]
        assert [(s["valid"], s["problems"], s["rejected"]) for s in summaries] == [(4, 0, 4)] * 2
        listings = (
            db.session.query(Listing)
            .filter(Listing.sku.in_(("LAMP-1", "MUG-1")))
            .order_by(Listing.sku, Listing.marketplace_id)
        )
        assert [(li.sku, li.marketplace_id, li.status) for li in listings] == [
            (sku, market, "error") for sku in ("LAMP-1", "MUG-1") for market in (seed.DE, seed.US)
        ]
        assert all("90220" in {i["code"] for i in li.amazon_issues} for li in listings)
        assert get_queue("listings").get_jobs() == []  # the worker ran them, none left queued

    go(frame, "Mapping")
    expect(frame.locator("#groups section").first).to_contain_text("Product Identity")
    battery = frame.locator(".form-row[data-attribute=battery]")
    expect(battery).not_to_have_class("form-row conditional revealed")
    frame.locator("select[name=source-batteries_required]").select_option("constant")
    frame.locator("select[name=value-batteries_required]").select_option("true")
    expect(battery).to_have_class("form-row conditional revealed", timeout=5000)
    frame.locator("select[name=source-color]").select_option("option")
    frame.locator("input[name=value-color]").fill("Color")
    frame.locator("input[name=value-color]").press("Tab")
    frame.locator("#save-mapping").click()
    expect(frame.locator("#toast")).to_have_text("Saved")
    shot(page, "09-mapping")

    go(frame, "Pricing")
    expect(frame.locator("[data-marketplace=A1PA6795UKMFR9] .rate")).to_contain_text("2026-")
    shot(page, "10-pricing")

    go(frame, "Orders")
    expect(frame.locator("tr[data-order='111-4455667-1234567']")).to_contain_text("#1001")
    failed = frame.locator("tr[data-order='111-9999999-0000001']")
    expect(failed).to_contain_text("SKU GHOST-1 is not in the store")
    failed.locator("button").click()
    expect(frame.locator("#toast")).to_have_text("Retry queued")
    assert [list(j.args) for j in _jobs(live, "orders")] == [[live.ids["failed_order"]]]
    shot(page, "11-orders")

    go(frame, "Activity")
    with live.app.app_context():
        logged = db.session.query(ApiCall).filter_by(shop_id=live.ids["shop"]).count()
        puts = (
            db.session.query(ApiCall)
            .filter_by(shop_id=live.ids["shop"], operation="putListingsItem")
            .count()
        )
    # the seeded four and the worker's calls to Amazon (8 listings sent, then read back)
    assert logged >= 4 + 8 and puts == 1 + 8
    expect(frame.locator("#calls tr")).to_have_count(logged)
    rejected = frame.locator("#calls tr[data-operation=putListingsItem]", has_text="90220")
    expect(rejected).to_have_count(puts)
    frame.locator("#outcome").select_option("error")
    frame.locator("#filters button").click()
    expect(frame.locator("#calls tr")).to_have_count(1)  # what Amazon sent back was all 2xx
    with page.expect_download() as download:
        frame.locator("#export").click()
    assert "putListingsItem" in open(download.value.path(), encoding="utf-8").read()
    shot(page, "12-activity")

    go(frame, "Team")
    expect(frame.locator("#team tr")).to_have_count(2)
    shot(page, "13-team")
    assert page.evaluate("window.__owned") is None
    assert frame.locator("body").evaluate("() => window.__owned") is None
    assert page.errors == []


def _jobs(live, queue):
    with live.app.app_context():
        return get_queue(queue).get_jobs()
