"""The FX refresh: the scheduler's hourly task reads the ECB's daily file from the rates emulator
in a real worker, stores the day's rates in base USD once, re-prices only the listings whose
currency moved (on the SP-API emulator), and stores nothing from a bad answer."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

import pytest
import requests

from core.db import db
from core.models import Alert, AmazonAccount, FxRate, JobRun, Listing, Shop, TargetMarketplace
from jobs.fx_rates import rates_table
from jobs.fx_refresh import shops_with_moved_rates
from jobs.queues import enqueue
from jobs.scheduler import SCHEDULE, tick
from mapping.fx_seed import SEED_DATE, USD_RATES, seed_rates
from mapping.marketplaces import marketplace
from mapping.pricing import PriceRule, price_for
from sandbox.fx import create_fx
from sandbox.fx.app import DAILY_PATH
from sandbox.server import serve_in_thread
from tests.jobs.conftest import wait_for
from tests.jobs.helpers import import_and_map, publish, wait_until_active
from tests.support.workers import start_worker, worker_output

REFRESH = next(task for task in SCHEDULE if task.name == "fx-refresh")
EURO = {"DE", "FR", "IT", "ES"}
EIGHT_PLACES = Decimal("0.00000001")


class RatesSource:
    """The ECB rates emulator and its controls."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.daily_url = url + DAILY_PATH

    def control(self, method: str, path: str, **kwargs):
        answer = requests.request(method, f"{self.url}/_sandbox/{path}", timeout=10, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None


@pytest.fixture(scope="session")
def fx_server():
    server = serve_in_thread(create_fx())
    yield server
    server.stop()


@pytest.fixture
def rates_source(fx_server) -> RatesSource:
    source = RatesSource(fx_server.url)
    source.control("POST", "reset")
    return source


@pytest.fixture
def app_factory(app_factory, rates_source):
    """Every app of these tests (and the workers started with its settings) reads the emulator."""

    def make(**overrides):
        return app_factory(**{"fx_rates_url": rates_source.daily_url, **overrides})

    return make


def _refresh_runs() -> JobRun | None:
    return db.session.query(JobRun).filter_by(kind="fx_refresh").one_or_none()


def _scheduled_refresh(world, attempt: int) -> JobRun:
    """The scheduler's hourly slot `attempt` comes round; the world's workers run the task."""
    assert tick((REFRESH,), now=time.time() + attempt * REFRESH.every_seconds) == ["fx-refresh"]
    run = wait_for(
        lambda: (r := _refresh_runs()) and r.attempts == attempt and r.status != "running" and r,
        60,
        message=world.worker_logs,
    )
    assert run.status == "done", run.message
    return run


def _reprice_done(attempts: int) -> JobRun:
    return wait_for(
        lambda: (
            db.session.query(JobRun)
            .filter(JobRun.kind == "reprice", JobRun.status == "done", JobRun.attempts >= attempts)
            .first()
        ),
        60,
    )


def _stored() -> dict[str, Decimal]:
    db.session.expire_all()
    return {row.quote: Decimal(row.rate) for row in db.session.query(FxRate)}


def _per_usd(served: dict) -> dict[str, Decimal]:
    """What the rates served per EUR are per USD, worked out here from the served figures."""
    usd = Decimal(served["USD"])
    expected = {c: (Decimal(r) / usd).quantize(EIGHT_PLACES) for c, r in served.items()}
    expected["EUR"] = (1 / usd).quantize(EIGHT_PLACES)
    del expected["USD"]
    return expected


def test_the_hourly_task_is_registered():
    assert (REFRESH.func, REFRESH.every_seconds) == ("jobs.fx_refresh.refresh_rates", 3600)


def test_the_days_rates_are_stored_in_usd_once_and_a_second_run_stores_nothing(world, rates_source):
    world.start_workers(1)
    served = rates_source.control("GET", "rates")
    assert served["time"] == SEED_DATE and "AED" not in served["rates"]
    # when the scheduler's refresh runs
    run = _scheduled_refresh(world, 1)
    # then one row per published currency, per USD, dated the ECB's day, source ecb
    rows = db.session.query(FxRate).all()
    assert {(r.base, r.as_of, r.source) for r in rows} == {
        ("USD", datetime.fromisoformat(SEED_DATE), "ecb")
    }
    assert _stored() == _per_usd(served["rates"])
    assert _stored()["JPY"] == Decimal("151.36657433")  # 163.93 JPY/EUR ÷ 1.0830 USD/EUR
    assert _stored()["EUR"] == Decimal("0.92336103")  # 1 ÷ 1.0830
    assert run.message == f"{len(rows)} ECB rates of {SEED_DATE} stored; shops to re-price: 1"
    # the prices now use them; a currency the ECB does not publish keeps its seed rate
    table = rates_table()
    assert (table.source, table.as_of) == ("ecb", SEED_DATE)
    assert table.rate("USD", "EUR").value == Decimal("0.92336103")
    assert table.rate("USD", "AED").value == Decimal(USD_RATES["AED"])
    _reprice_done(1)  # the shop's rates moved from the seed: nothing live yet to re-price
    # when the next hour's run finds the same day
    again = _scheduled_refresh(world, 2)
    # then nothing new is stored and no re-pricing is asked for
    assert again.message == f"the ECB rates of {SEED_DATE} were already stored"
    assert db.session.query(FxRate).count() == len(rows)
    reprices = db.session.query(JobRun).filter_by(kind="reprice").one()
    assert reprices.attempts == 1


def _offers(world, sku: str) -> dict[str, float]:
    return {
        row["marketplace_id"]: row["attributes"]["purchasable_offer"][0]["our_price"][0][
            "schedule"
        ][0]["value_with_tax"]
        for row in world.amazon.control("GET", "listings")["listings"]
        if row["sku"] == sku
    }


def _patches_by_marketplace(world, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in world.amazon.calls("patchListingsItem")[since:]:
        counts[call["marketplace_ids"]] = counts.get(call["marketplace_ids"], 0) + 1
    return counts


def test_a_euro_move_reprices_the_euro_marketplaces_only(world, rates_source):
    world.start_workers(2)
    _scheduled_refresh(world, 1)  # the ECB's day before: the listings go out at its rates
    _reprice_done(1)
    snapshots = import_and_map(world)
    product = next(
        s for s in snapshots if s.product_type == "KITCHEN" and len(s.data["variants"]) == 1
    )
    done = publish(world, product_ids=[product.id])
    wait_until_active(world, done.details["summary"]["sent"])
    sku = product.data["variants"][0]["sku"]
    listed = {t.marketplace_id: t.country_code for t in db.session.query(TargetMarketplace)}
    before = _offers(world, sku)
    euro = {m for m in before if listed[m] in EURO}
    assert len(euro) == 4 and len(before) > 4, before
    patches_before = len(world.amazon.calls("patchListingsItem"))
    # when the ECB publishes a day where the euro alone rose 5 % (every rate per EUR × 1.05)
    served = rates_source.control("GET", "rates")["rates"]
    moved = {code: str(Decimal(rate) * Decimal("1.05")) for code, rate in served.items()}
    rates_source.control("POST", "rates", json={"time": "2026-11-03", "rates": moved})
    run = _scheduled_refresh(world, 2)
    assert run.message.endswith("; shops to re-price: 1"), run.message
    # then the euro listings on Amazon hold the price the rules give at the new rate
    table = rates_table()
    assert table.as_of == "2026-11-03"
    shop = db.session.get(Shop, world.shop_id)
    amount = Decimal(product.data["variants"][0]["price"])
    expected = {
        m: float(price_for(amount, shop.currency, marketplace(m), PriceRule(), table).price)
        for m in euro
    }
    wait_for(
        lambda: {m: p for m, p in _offers(world, sku).items() if m in euro} == expected,
        60,
        message=lambda: (
            f"{before}\n{_offers(world, sku)}\n{expected}\n" + world.worker_logs()[-3000:]
        ),
    )
    assert all(expected[m] < before[m] for m in euro), (before, expected)  # the euro is dearer
    _reprice_done(2)  # the re-pricing has finished: every patch it sends is counted below
    # one patch per euro marketplace, and nothing sent where the currency did not move
    assert _patches_by_marketplace(world, patches_before) == {m: 1 for m in euro}
    after = _offers(world, sku)
    assert {m: p for m, p in after.items() if m not in euro} == {
        m: p for m, p in before.items() if m not in euro
    }
    # the rows say what Amazon holds
    db.session.expire_all()
    for row in db.session.query(Listing).filter(Listing.sku == sku, Listing.status == "active"):
        assert float(row.price) == after[row.marketplace_id], row.marketplace_id


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ({"status": 200, "body": "<gesmes:Envelope><Cube"}, "EcbFormatError: {url}: not well-"),
        ({"status": 500, "body": "Internal error"}, "FxSourceError: {url}: answered HTTP 500"),
        (
            {"status": 200, "body": "<a:Envelope xmlns:a='x'><Cube xmlns='http://www.ecb.int/"
             "vocabulary/2002-08-01/eurofxref'><Cube time='2026-11-03'><Cube currency='JPY' "
             "rate='160.1'/></Cube></Cube></a:Envelope>"},
            "EcbFormatError: {url}: the rates of 2026-11-03 have no USD rate",
        ),
    ],
    ids=["malformed-xml", "http-500", "no-usd-rate"],
)  # fmt: skip
def test_a_bad_answer_stores_nothing_and_the_run_says_what_and_where(
    app, rates_source, fault, says
):
    settings = app.config["SETTINGS"]
    rates_source.control("POST", "fault", json=fault)
    # when a refresh (with no retry left) reads a bad answer
    job = enqueue("jobs.fx_refresh.refresh_rates", queue=REFRESH.queue, retry=False)
    proc = start_worker(settings, burst=True, queues=REFRESH.queue)
    proc.wait(timeout=120)
    # then the job failed, its run says why and where, and no rate was stored
    assert job.get_status(refresh=True) == "failed", worker_output(proc)
    run = _refresh_runs()
    assert run.status == "failed"
    assert run.message.startswith("stopped: " + says.format(url=rates_source.daily_url))
    assert db.session.query(FxRate).count() == 0
    assert rates_table().source == "sandbox seed"


def test_a_bad_answer_is_retried_with_the_reason_on_the_run(app, rates_source):
    rates_source.control("POST", "fault", json={"status": 503, "body": "busy"})
    # when the scheduler's refresh meets a 503 and RQ will try again
    assert tick((REFRESH,)) == ["fx-refresh"]
    proc = start_worker(app.config["SETTINGS"], burst=True, queues=REFRESH.queue)
    proc.wait(timeout=120)
    # then the run shows it is retrying, and why
    run = _refresh_runs()
    assert run.status == "retrying", worker_output(proc)
    url = rates_source.daily_url
    assert run.message == f"will retry: FxSourceError: {url}: answered HTTP 503, not the rates file"
    assert db.session.query(FxRate).count() == 0


def test_a_malformed_file_is_final_at_once_though_retries_are_left(app, rates_source):
    rates_source.control("POST", "fault", json={"status": 200, "body": "<gesmes:Envelope><Cube"})
    assert tick((REFRESH,)) == ["fx-refresh"]
    proc = start_worker(app.config["SETTINGS"], burst=True, queues=REFRESH.queue)
    proc.wait(timeout=120)
    run = _refresh_runs()
    assert run.status == "failed" and run.attempts == 1, worker_output(proc)
    assert run.message.startswith(f"stopped: EcbFormatError: {rates_source.daily_url}: not well-")


def _shop(domain: str, currency: str, markets: dict[str, bool], status: str = "installed") -> int:
    """A shop selling from `currency` to marketplaces {marketplace id: enabled}."""
    shop = Shop(platform="woocommerce", domain=domain, currency=currency, status=status)
    db.session.add(shop)
    db.session.flush()
    account = AmazonAccount(shop_id=shop.id, region="EU", selling_partner_id=f"A{shop.id}")
    db.session.add(account)
    db.session.flush()
    for marketplace_id, enabled in markets.items():
        market = marketplace(marketplace_id)
        db.session.add(
            TargetMarketplace(shop_id=shop.id, account_id=account.id, marketplace_id=market.id,
                              country_code=market.country, currency=market.currency,
                              language=market.language_tag, enabled=enabled)
        )  # fmt: skip
    db.session.commit()
    return shop.id


def test_only_shops_selling_across_a_moved_rate_are_repriced(app):
    de, uk = "A1PA6795UKMFR9", "A1F83G8C2ARO7P"
    to_euro = _shop("a.example", "USD", {de: True, uk: True})
    to_pound = _shop("b.example", "USD", {uk: True})
    euro_to_euro = _shop("c.example", "EUR", {de: True})
    disabled_euro = _shop("d.example", "USD", {de: False, uk: True})
    gone = _shop("e.example", "USD", {de: True}, status="uninstalled")
    pound_to_euro = _shop("f.example", "GBP", {de: True})
    before = seed_rates()
    # when the euro alone moves (units per USD)
    after = seed_rates()
    after.rates["EUR"] = Decimal("0.95")
    # then the shops converting into or out of EUR for an enabled marketplace are re-priced
    assert shops_with_moved_rates(before, after) == sorted([to_euro, pound_to_euro])
    assert {to_pound, euro_to_euro, disabled_euro, gone}.isdisjoint(
        shops_with_moved_rates(before, after)
    )
    # and a manual USD>EUR override holds the rate still, so that shop has nothing to re-price
    held = before.with_override("USD", "EUR", Decimal("0.9"))
    moved = after.with_override("USD", "EUR", Decimal("0.9"))
    assert shops_with_moved_rates(held, moved) == [pound_to_euro]
    assert shops_with_moved_rates(before, before) == []


def test_a_source_that_does_not_answer_is_named():
    from jobs.fx_refresh import FxSourceError, fetch_ecb_rates

    server = serve_in_thread(create_fx())
    url = server.url + DAILY_PATH
    server.stop()  # nothing listens there any more
    with pytest.raises(FxSourceError, match=rf"^{url}: no answer \(ConnectError: "):
        fetch_ecb_rates(url)


def test_the_rates_url_is_the_ecbs_file_and_the_local_emulator_in_the_demo():
    from core.settings import DEMO_FX_RATES_URL, ECB_DAILY_URL, Settings

    assert ECB_DAILY_URL == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
    assert Settings.from_env({"CROSSPORT_ENV": "test"}).fx_rates_url == ECB_DAILY_URL
    assert Settings.from_env({"CROSSPORT_ENV": "demo"}).fx_rates_url == DEMO_FX_RATES_URL
    assert DEMO_FX_RATES_URL.endswith(DAILY_PATH)  # the emulator serves the ECB's own path
    told = {"CROSSPORT_ENV": "demo", "CROSSPORT_FX_RATES_URL": "http://rates.test/daily.xml"}
    assert Settings.from_env(told).fx_rates_url == "http://rates.test/daily.xml"


def _refresh_once(settings) -> None:
    """One refresh with no retry left, run by a real worker."""
    enqueue("jobs.fx_refresh.refresh_rates", queue=REFRESH.queue, retry=False)
    proc = start_worker(settings, burst=True, queues=REFRESH.queue)
    proc.wait(timeout=120)


def test_a_refresh_failing_for_good_alerts_the_converting_shops_until_rates_arrive(
    app, rates_source
):
    de = "A1PA6795UKMFR9"
    converting = _shop("a.example", "USD", {de: True})
    _shop("b.example", "EUR", {de: True})  # sells in its own currency: rates do not matter
    rates_source.control("POST", "fault", json={"status": 500, "body": "down"})
    # when two hourly refreshes fail with the same reason
    _refresh_once(app.config["SETTINGS"])
    _refresh_once(app.config["SETTINGS"])
    # then the converting shop has one open alert saying why and which rates its prices use
    alerts = db.session.query(Alert).filter_by(kind="fx_refresh_failed").all()
    assert [(a.shop_id, a.resolved_at) for a in alerts] == [(converting, None)]
    assert "answered HTTP 500" in alerts[0].message and SEED_DATE in alerts[0].message
    # when the source answers again, the alert is settled
    rates_source.control("DELETE", "fault")
    _refresh_once(app.config["SETTINGS"])
    db.session.expire_all()
    assert db.session.get(Alert, alerts[0].id).resolved_at is not None
    assert db.session.query(FxRate).count() > 0
