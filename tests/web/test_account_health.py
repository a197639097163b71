"""Account health on the dashboard: Amazon's stored rates beside Crossport's own, and the refresh
that only editors and above may ask for."""

from __future__ import annotations

from datetime import timedelta

from core.db import db, utcnow
from core.models import AccountHealth, AmazonAccount, OrderLink
from jobs.queues import get_queue
from tests.web.conftest import DE, US

VIEWER, EDITOR = "2", "3"


def _metric(rate: float, target: float, status: str, days: int) -> dict:
    now = utcnow().replace(microsecond=0)
    return {
        "rate": rate,
        "status": status,
        "target_value": target,
        "target_condition": "LESS_THAN",
        "order_count": 40,
        "defect_count": 1,
        "date_from": f"{(now - timedelta(days=days)).isoformat()}Z",
        "date_to": f"{now.isoformat()}Z",
        "meets_target": status == "GOOD",
    }


def _report(shop, status: str = "done") -> AccountHealth:
    account = db.session.query(AmazonAccount).filter_by(shop_id=shop.id).one()
    row = AccountHealth(
        shop_id=shop.id,
        account_id=account.id,
        marketplace_id=US,
        status=status,
        report_id="70001",
        requested_at=utcnow(),
        account_status="AT_RISK",
        message="",
        metrics={
            "order_defect_rate": _metric(0.004, 0.01, "GOOD", 60),
            "late_shipment_rate": _metric(0.05, 0.04, "BAD", 30),
            "pre_fulfillment_cancellation_rate": _metric(0.025, 0.025, "BAD", 7),
        },
        period_start=utcnow() - timedelta(days=60),
        period_end=utcnow(),
        fetched_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def _order(
    shop,
    name: str,
    *,
    placed: float,
    ship_by: float | None,
    confirmed: float | None = None,
    status: str = "Unshipped",
    channel: str = "MFN",
    marketplace: str = US,
) -> None:
    """An imported order; times are days from now (negative: in the past)."""
    now = utcnow()
    shipment = {"confirmed_at": (now + timedelta(days=confirmed)).isoformat()} if confirmed else {}
    db.session.add(
        OrderLink(
            shop_id=shop.id,
            amazon_order_id=name,
            marketplace_id=marketplace,
            amazon_status=status,
            fulfillment_channel=channel,
            state="created",
            shipment=shipment,
            purchase_date=now + timedelta(days=placed),
            latest_ship_date=now + timedelta(days=ship_by) if ship_by is not None else None,
        )
    )
    db.session.commit()


def test_dashboard_shows_amazons_rates_beside_those_of_crossports_orders(client, shop_a, bearer):
    # given Amazon's report for the US, and orders Crossport imported there
    _report(shop_a)
    _order(shop_a, "A", placed=-5, ship_by=-3, confirmed=-4)  # shipped before its ship-by date
    _order(shop_a, "B", placed=-4, ship_by=-2, confirmed=-1)  # shipped late
    _order(shop_a, "C", placed=-3, ship_by=-1)  # due yesterday, not shipped
    _order(shop_a, "D", placed=-1, ship_by=1)  # not due yet
    _order(shop_a, "E", placed=-6, ship_by=-4, status="Canceled")  # cancelled before shipping
    _order(shop_a, "F", placed=-10, ship_by=-8, status="Canceled")  # outside the 7-day window
    _order(shop_a, "G", placed=-2, ship_by=-1, channel="AFN", status="Shipped")  # Amazon ships
    # when the dashboard is read
    board = client.get("/api/dashboard", headers=bearer(shop_a)).json
    # then each enabled marketplace has a row, Amazon's figures as stored, Crossport's counted
    health = board["account_health"]
    assert [m["marketplace_id"] for m in health["marketplaces"]] == [DE, US]
    de, us = health["marketplaces"]
    assert us["status"] == "done" and us["account_status"] == "AT_RISK" and us["fetched_at"]
    assert us["period_start"] and us["period_end"]
    late = us["amazon"]["late_shipment_rate"]
    assert (late["rate"], late["target_value"], late["status"]) == (0.05, 0.04, "BAD")
    assert late["meets_target"] is False and late["date_from"].endswith("Z")
    # due: A on time, B and C late (D not due yet, E and F cancelled, G fulfilled by Amazon);
    # placed in the last 7 days and seller-fulfilled: A to E, of which E was cancelled
    own_late = us["own"]["late_shipment_rate"]
    assert (own_late["orders"], own_late["count"], own_late["rate"]) == (3, 2, round(2 / 3, 4))
    own_cancel = us["own"]["pre_fulfillment_cancellation_rate"]
    assert (own_cancel["orders"], own_cancel["count"], own_cancel["rate"]) == (5, 1, 0.2)
    assert us["own"]["order_defect_rate"] is None  # claims and feedback never reach Crossport
    # and a marketplace never fetched says so, its own rates over Amazon's usual windows
    assert (de["status"], de["amazon"], de["account_status"]) == (None, {}, "")
    assert de["own"]["late_shipment_rate"]["rate"] is None
    assert health["orders"] == 7 and health["refreshing"] is False


def test_a_refresh_on_its_way_keeps_the_last_figures(client, shop_a, bearer):
    _report(shop_a, status="requested")
    health = client.get("/api/dashboard", headers=bearer(shop_a)).json["account_health"]
    us = next(m for m in health["marketplaces"] if m["marketplace_id"] == US)
    assert health["refreshing"] is True
    assert us["amazon"]["order_defect_rate"]["rate"] == 0.004


def test_another_shop_never_sees_these_figures(client, shop_a, shop_b, bearer):
    _report(shop_a)
    health = client.get("/api/dashboard", headers=bearer(shop_b, "9")).json["account_health"]
    assert all(m["amazon"] == {} and m["status"] is None for m in health["marketplaces"])


def test_editors_and_above_may_ask_amazon_for_fresh_figures(client, shop_a, bearer):
    # a viewer may look but not ask
    refused = client.post("/api/account-health/refresh", headers=bearer(shop_a, VIEWER))
    assert refused.status_code == 403
    # an editor's request queues one refresh per connected account, coalesced when repeated
    first = client.post("/api/account-health/refresh", headers=bearer(shop_a, EDITOR))
    again = client.post("/api/account-health/refresh", headers=bearer(shop_a))
    assert (first.status_code, first.json, again.status_code) == (202, {"queued": 1}, 202)
    jobs = get_queue("periodic").get_jobs()
    assert [j.func_name for j in jobs] == ["jobs.account_health.refresh_account_health"]
    account = db.session.query(AmazonAccount).filter_by(shop_id=shop_a.id).one()
    assert list(jobs[0].args) == [account.id]


def test_refresh_without_a_connected_account_says_what_to_do(client, shop_a, bearer):
    db.session.query(AmazonAccount).filter_by(shop_id=shop_a.id).update({"status": "disconnected"})
    db.session.commit()
    answer = client.post("/api/account-health/refresh", headers=bearer(shop_a, EDITOR))
    assert answer.status_code == 409 and answer.json["error"] == "no_amazon_account"
