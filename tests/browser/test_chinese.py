"""The journey's key steps in Simplified Chinese, chosen by the seller and remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.test_journey import open_crossport, publish_with_progress

pytestmark = pytest.mark.browser


def go(frame, label):
    frame.locator("nav a", has_text=label).click()
    expect(frame.locator("h1")).to_contain_text(label, timeout=15000)


def test_key_steps_in_simplified_chinese(page, live):
    frame = open_crossport(page, live)
    frame.locator("#language").select_option("zh_Hans")
    expect(frame.locator("h1")).to_have_text("概览", timeout=15000)
    expect(frame.locator("html")).to_have_attribute("lang", "zh-Hans")
    shot(page, "zh-01-dashboard")

    go(frame, "开始设置")
    expect(frame.locator("#checklist li[data-key=amazon_connected]")).to_contain_text(
        "已连接亚马逊卖家账户"
    )
    shot(page, "zh-02-onboarding")

    go(frame, "商品")
    vase = frame.locator(f"#products tr[data-product-id='{live.ids['vase']}']")
    expect(vase.locator("[data-marketplace=A1PA6795UKMFR9] .badge")).to_have_text("有问题")
    expect(vase.locator("[data-marketplace=ATVPDKIKX0DER] .badge")).to_have_text("在售")
    vase.locator("input").check()
    expect(frame.locator("#selected-count")).to_have_text("已选择 1 个")
    publish_with_progress(page, frame, live, "validate", "zh-03-validate-progress")
    expect(frame.locator("#run-status .badge")).to_have_text("完成")

    vase.locator("a").click()
    expect(frame.locator("#product-title")).to_have_text("Blue ceramic vase", timeout=15000)
    expect(frame.locator("#market-panel")).to_contain_text("Crossport 发现的问题")
    shot(page, "zh-04-product")

    go(frame, "订单")
    failed = frame.locator("tr[data-order='111-9999999-0000001']")
    expect(failed.locator(".badge")).to_have_text("失败")
    failed.locator("button", has_text="重试").click()
    expect(frame.locator("#toast")).to_have_text("已加入重试队列")
    shot(page, "zh-05-orders")

    go(frame, "活动")
    expect(frame.locator("#calls tr")).to_have_count(4)
    shot(page, "zh-06-activity")

    # the choice is kept for this staff member: a new visit from the admin opens in Chinese
    page.goto(live.admin_url)
    page.click("#open-app")
    expect(page.frame_locator("#app-iframe").locator("h1")).to_have_text("概览", timeout=15000)
    assert page.errors == []
