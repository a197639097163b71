"""The seller's pages in a real browser, inside the Shopify emulator's store admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import JobRun, MappingProfile
from jobs.queues import get_queue
from tests.browser import seed
from tests.browser.conftest import shot
from tests.browser.driver import drive_next_run

pytestmark = pytest.mark.browser


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
        return {run_id for (run_id,) in db.session.query(JobRun.id)}


def publish_with_progress(page, frame, live, button: str, name: str):
    thread, result = drive_next_run(live.app, known_runs(live))
    frame.locator(f"#{button}").click()
    bar = frame.locator("#run-progress")
    expect(frame.locator("#run")).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=20000)
    expect(frame.locator("#run-status .badge")).to_have_attribute("data-status", "done")
    thread.join(timeout=5)
    shot(page, name)
    return result["run_id"]


def test_seller_journey_in_english(page, live):
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
    trial_run = publish_with_progress(page, frame, live, "trial", "05-trial-progress")
    publish_run = publish_with_progress(page, frame, live, "publish", "06-publish-progress")
    with live.app.app_context():
        modes = [
            db.session.get(JobRun, i).details["mode"]
            for i in (validate_run, trial_run, publish_run)
        ]
        assert modes == ["validate", "trial", "publish"]
        queued = get_queue("listings").get_jobs()
        assert sorted(j.args[0] for j in queued) == sorted([validate_run, trial_run, publish_run])

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
    expect(frame.locator("#calls tr")).to_have_count(4)
    expect(frame.locator("#calls tr[data-operation=putListingsItem]")).to_contain_text("90220")
    frame.locator("#outcome").select_option("error")
    frame.locator("#filters button").click()
    expect(frame.locator("#calls tr")).to_have_count(1)
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
