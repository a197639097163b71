"""The dashboard's account health table in a real browser: Amazon's figures beside Crossport's,
and the refresh button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.db import db, utcnow
from core.models import AccountHealth, AmazonAccount
from jobs.queues import get_queue
from tests.browser.conftest import shot
from tests.browser.seed import US
from tests.browser.test_journey import open_crossport

pytestmark = pytest.mark.browser


def _store_report(live) -> None:
    now = utcnow().replace(microsecond=0)
    span = {"date_from": f"{(now - timedelta(days=30)).isoformat()}Z", "date_to": f"{now}Z"}
    metric = {"target_condition": "LESS_THAN", "order_count": 40, "defect_count": 2, **span}
    with live.app.app_context():
        account = db.session.query(AmazonAccount).filter_by(region="NA").one()
        db.session.add(
            AccountHealth(
                shop_id=account.shop_id,
                account_id=account.id,
                marketplace_id=US,
                status="done",
                account_status="AT_RISK",
                message="",
                fetched_at=now,
                metrics={
                    "late_shipment_rate": {
                        **metric,
                        "rate": 0.05,
                        "target_value": 0.04,
                        "status": "BAD",
                        "meets_target": False,
                    },
                    "order_defect_rate": {
                        **metric,
                        "rate": 0.002,
                        "target_value": 0.01,
                        "status": "GOOD",
                        "meets_target": True,
                    },
                },
            )
        )
        db.session.commit()


def test_amazons_rates_show_beside_crossports_and_can_be_refreshed(page, live):
    # given Amazon's report for the US is stored, and none yet for Germany
    _store_report(live)
    frame = open_crossport(page, live)
    # then the US rows show Amazon's rate, verdict and target beside Crossport's figure
    late = frame.locator(
        "#health-rows tr[data-marketplace=ATVPDKIKX0DER][data-metric=late_shipment_rate]"
    )
    expect(late).to_contain_text("5.00 %")
    expect(late).to_contain_text("Off target")
    expect(late).to_contain_text("< 4.00 %")
    expect(late.locator("td").nth(3)).to_have_text("No orders in the period")
    defects = frame.locator("#health-rows tr[data-metric=order_defect_rate]").first
    expect(frame.locator("#health-rows")).to_contain_text("Account at risk")
    expect(frame.locator("#health-rows")).to_contain_text("Not visible to Crossport")
    expect(frame.locator("#health-rows")).to_contain_text("Not fetched from Amazon yet")
    expect(defects).to_be_visible()
    shot(page, "account-health")
    # when the owner asks for fresh figures, a refresh per connected account is queued
    frame.locator("#health-refresh").click()
    expect(frame.locator("#health-state")).to_contain_text("on its way")
    with live.app.app_context():
        names = [j.func_name for j in get_queue("periodic").get_jobs()]
    assert names == ["jobs.account_health.refresh_account_health"] * 2
    assert page.errors == []
