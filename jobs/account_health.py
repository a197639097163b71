"""Account health: Amazon's seller performance report per marketplace, daily and on demand.

`refresh_account_health(account_id)` asks for one report per enabled marketplace of the account
and records each report id; `poll_account_health` follows them without holding a worker: it
checks once, stores what is done and enqueues itself again with a growing delay, as feed polling
does. One JobRun covers the whole refresh; a metric that misses Amazon's target raises an alert,
and the alert is resolved when a later report shows the metric back on target.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.db import db, utcnow
from core.models import AccountHealth, Alert, AmazonAccount, JobRun, TargetMarketplace
from core.times import parse_utc
from integrations.amazon.clock import amazon_wait
from integrations.amazon.errors import AmazonApiError
from integrations.amazon.reports import MarketplacePerformance, ReportFormatError
from jobs.alerts import raise_alert
from jobs.amazon import AmazonSeller
from jobs.queues import enqueue
from jobs.runs import finish_run, start_run
from jobs.tenants import connected_accounts

log = logging.getLogger("crossport.jobs")

KIND = "account_health"
ALERT_KIND = "account_health"
MAX_POLL_DELAY = 300  # Amazon takes seconds to many minutes; no need to ask more than every 5 min
GIVE_UP_AFTER = timedelta(hours=6)  # a report still not done by then is reported as failed
FINAL = {"DONE", "FATAL", "CANCELLED"}
LABELS = {
    "order_defect_rate": "order defect rate (seller-fulfilled)",
    "order_defect_rate_afn": "order defect rate (fulfilled by Amazon)",
    "late_shipment_rate": "late shipment rate",
    "pre_fulfillment_cancellation_rate": "pre-fulfilment cancellation rate",
}


def refresh_all_account_health() -> int:
    """The daily fan-out: one refresh per connected account of an installed shop."""
    accounts = connected_accounts()
    for account_id, shop_id in accounts:
        request_refresh(account_id, shop_id)
    return len(accounts)


def request_refresh(account_id: int, shop_id: int):
    """Enqueue a refresh of one account (coalesced: one waiting refresh per account)."""
    return enqueue(
        "jobs.account_health.refresh_account_health",
        account_id,
        queue="periodic",
        job_id=f"account-health:{account_id}",
        title="Fetch Amazon account health",
        shop_id=shop_id,
    )


def _enabled_marketplaces(account: AmazonAccount) -> list[str]:
    return [
        mid
        for (mid,) in db.session.query(TargetMarketplace.marketplace_id)
        .filter_by(account_id=account.id, enabled=True)
        .order_by(TargetMarketplace.marketplace_id)
    ]


def _row(account: AmazonAccount, marketplace_id: str) -> AccountHealth:
    row = (
        db.session.query(AccountHealth)
        .filter_by(account_id=account.id, marketplace_id=marketplace_id)
        .one_or_none()
    )
    if row is None:
        row = AccountHealth(shop_id=account.shop_id, account_id=account.id,
                            marketplace_id=marketplace_id, metrics={}, account_status="",
                            message="")  # fmt: skip
        db.session.add(row)
    return row


def _on_its_way(row: AccountHealth) -> bool:
    """A report asked for recently and not finished: asking again would only cost quota."""
    return (
        row.status == "requested"
        and row.report_id is not None
        and row.requested_at is not None
        and utcnow() - row.requested_at < GIVE_UP_AFTER
    )


def refresh_account_health(account_id: int) -> str:
    """Request a seller performance report for each enabled marketplace of one account."""
    account = db.session.get(AmazonAccount, account_id)
    if account is None:
        log.info("account health: account %s is gone", account_id)
        return "nothing to do"
    if account.status != "connected":
        return f"the account is {account.status}"
    marketplace_ids = _enabled_marketplaces(account)
    if not marketplace_ids:
        return "no marketplace enabled"
    run = start_run(KIND, account.shop_id, f"Amazon account health ({account.region})",
                    total=len(marketplace_ids))  # fmt: skip
    seller = AmazonSeller(account)
    for marketplace_id in marketplace_ids:
        row = _row(account, marketplace_id)
        if _on_its_way(row):  # a retry of this job, or a refresh while one is running
            continue
        try:
            report_id = seller.request_seller_performance(marketplace_id)
        except AmazonApiError as exc:  # refused for this marketplace: the others still go on
            row.status, row.report_id, row.message = "failed", None, str(exc)[:2000]
        else:
            row.status, row.report_id, row.message = "requested", report_id, ""
            row.requested_at = utcnow()
        db.session.commit()  # each report id is kept before the next report is asked for
    run.details = {**(run.details or {}), "account_id": account.id, "polls": 0}
    db.session.commit()
    _next_poll(account, run, 0)
    return f"{len(marketplace_ids)} report(s) requested"


def _next_poll(account: AmazonAccount, run: JobRun, polls: int) -> None:
    job = enqueue(
        "jobs.account_health.poll_account_health",
        account.id,
        run.id,
        queue="periodic",
        # per run: a refresh pressed while reports are on their way gets a poll chain of its own
        job_id=f"account-health:{account.id}:{run.id}:poll",
        title="Check Amazon account health reports",
        shop_id=account.shop_id,
        delay_seconds=amazon_wait(min(MAX_POLL_DELAY, 2 + 2 * polls)),
    )
    # The reaper of abandoned runs follows the job that carries the run on.
    run.rq_job_id = job.id
    db.session.commit()


def poll_account_health(account_id: int, run_id: int) -> str:
    """Check each report still on its way once; store the finished ones; poll again if needed."""
    account = db.session.get(AmazonAccount, account_id)
    run = db.session.get(JobRun, run_id)
    if account is None or run is None or run.status != "running":
        return "nothing to do"
    pending = (
        db.session.query(AccountHealth).filter_by(account_id=account.id, status="requested").all()
    )
    if pending and account.status == "connected":
        seller = AmazonSeller(account)
        for row in pending:
            _check(seller, row)
            db.session.commit()
    rows = db.session.query(AccountHealth).filter_by(account_id=account.id).all()
    waiting = [r for r in rows if r.status == "requested"]
    if waiting and account.status != "connected":
        for row in waiting:
            row.status, row.message = "failed", f"the Amazon account is {account.status}"
        waiting = []
    if waiting:
        polls = int((run.details or {}).get("polls", 0)) + 1
        run.details = {**(run.details or {}), "polls": polls}
        _next_poll(account, run, polls)
        return f"{len(waiting)} report(s) still on their way"
    done = [r for r in rows if r.status == "done"]
    failed = [r for r in rows if r.status != "done"]
    run.done, run.failed = len(done), len(failed)
    problems = "; ".join(f"{r.marketplace_id}: {r.message or r.status}" for r in failed)
    message = f"{len(done)} marketplace(s) fetched" + (f"; failed: {problems}" if failed else "")
    finish_run(run, message, failed=not done)
    return message


def _check(seller: AmazonSeller, row: AccountHealth) -> None:
    report = seller.report_status(row.marketplace_id, row.report_id)
    status = report.get("processingStatus", "")
    if status not in FINAL:
        if row.requested_at and utcnow() - row.requested_at > GIVE_UP_AFTER:
            row.status = "failed"
            row.message = f"report {row.report_id} still {status} after {GIVE_UP_AFTER}"
        return
    if status != "DONE" or not report.get("reportDocumentId"):
        # CANCELLED also means "no data to return" for Amazon
        row.status, row.message = "failed", f"Amazon ended report {row.report_id} as {status}"
        return
    try:
        found = seller.seller_performance(row.marketplace_id, report["reportDocumentId"])
    except ReportFormatError as exc:
        row.status, row.message = "failed", str(exc)[:2000]
        return
    performance = found.get(row.marketplace_id)
    if performance is None:
        row.status, row.message = "failed", f"the report has no metrics for {row.marketplace_id}"
        return
    store(row, performance)
    sync_alerts(row, performance)


def store(row: AccountHealth, performance: MarketplacePerformance) -> None:
    """Keep the watched metrics, their widest reporting period and when they were fetched."""
    metrics = performance.metrics()
    row.metrics = {
        name: {**vars(metric), "meets_target": metric.meets_target}
        for name, metric in metrics.items()
    }
    starts = [parse_utc(m.date_from) for m in metrics.values() if m.date_from]
    ends = [parse_utc(m.date_to) for m in metrics.values() if m.date_to]
    row.period_start = min((s for s in starts if s), default=None)
    row.period_end = max((e for e in ends if e), default=None)
    row.account_status = performance.account_status or ""
    row.status, row.message, row.fetched_at = "done", "", utcnow()


def _open_alerts(row: AccountHealth) -> dict[str, Alert]:
    alerts = (
        db.session.query(Alert)
        .filter_by(shop_id=row.shop_id, kind=ALERT_KIND, resolved_at=None)
        .all()
    )
    return {
        a.details.get("metric"): a
        for a in alerts
        if (a.details or {}).get("marketplace_id") == row.marketplace_id
    }


def sync_alerts(row: AccountHealth, performance: MarketplacePerformance) -> None:
    """One open alert per marketplace and metric off target; resolved once back on target."""
    open_alerts = _open_alerts(row)
    for name, metric in performance.metrics().items():
        existing = open_alerts.get(name)
        if metric.meets_target:
            if existing is not None:
                existing.resolved_at = utcnow()
            continue
        target = f"{metric.target_value:.2%}" if metric.target_value is not None else "none"
        message = (
            f"Amazon rates the {LABELS[name]} in {row.marketplace_id} at {metric.rate:.2%} "
            f"({metric.status}); Amazon's target is {target}."
        )
        if existing is not None and existing.message == message:
            continue
        if existing is not None:  # the rate moved: the newest figure replaces the old alert
            existing.resolved_at = utcnow()
        raise_alert(
            row.shop_id,
            ALERT_KIND,
            message,
            severity="error" if performance.account_status == "AT_RISK" else "warning",
            details={"marketplace_id": row.marketplace_id, "metric": name, "rate": metric.rate,
                     "target_value": metric.target_value, "status": metric.status},
        )  # fmt: skip
