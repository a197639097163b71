"""Follow a submitted feed to its processing report and give each listing its outcome."""

from __future__ import annotations

import logging

from core.db import db, utcnow
from core.models import Listing, Submission
from integrations.amazon.clock import amazon_wait
from integrations.amazon.ratelimit import WaitTooLong
from jobs.alerts import raise_alert
from jobs.amazon import seller_for
from jobs.listing_status import request_status_refresh
from jobs.queues import enqueue

log = logging.getLogger("crossport.jobs")

FINAL = {"DONE", "FATAL", "CANCELLED"}
MAX_POLL_DELAY = 60


def poll_feed(submission_id: int) -> str:
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.status in ("done", "fatal", "cancelled"):
        return "nothing to do"
    seller = seller_for(submission.shop_id, submission.marketplace_id)
    feed = seller.feed_status(submission.marketplace_id, submission.feed_id)
    status = feed.get("processingStatus", "")
    if status not in FINAL:
        submission.status = "in_progress" if status == "IN_PROGRESS" else "submitted"
        polls = (submission.report or {}).get("polls", 0) + 1
        submission.report = {**(submission.report or {}), "polls": polls}
        db.session.commit()
        # Feeds take minutes to hours; poll quickly at first, then once a minute.
        _poll_again(submission, amazon_wait(min(MAX_POLL_DELAY, 2 * polls)))
        return status
    report = {}
    if feed.get("resultFeedDocumentId"):
        try:
            report = seller.feed_report(submission.marketplace_id, feed["resultFeedDocumentId"])
        except WaitTooLong as busy:
            # getFeedDocument allows one call per 45 s past a burst of 10: the reports of a
            # large publish (16 feeds for 10,000 SKUs) queue up for minutes. Come back when the
            # slot is due rather than fail the job and spend its retries.
            _poll_again(submission, busy.wait_seconds)
            return "report waits for a getFeedDocument slot"
    apply_report(submission, status, report)
    return status


def enqueue_feed_poll(
    submission_id: int, shop_id: int, delay_seconds: float = 0, suffix: str = ""
) -> None:
    """Check the feed of a submission; one waiting poll per submission (deterministic id). A
    poll that queues its own next look passes a suffix, as its own id is taken while it runs."""
    enqueue(
        "jobs.feeds.poll_feed",
        submission_id,
        queue="listings",
        job_id=f"feed:{submission_id}{suffix}",
        title="Check an Amazon feed",
        shop_id=shop_id,
        delay_seconds=delay_seconds,
    )


def _poll_again(submission: Submission, delay_seconds: float) -> None:
    enqueue_feed_poll(submission.id, submission.shop_id, delay_seconds, suffix=":poll")


def record_patch_feed(
    shop_id: int, marketplace_id: str, feed_id: str, kind: str, message_skus: dict[str, str]
) -> Submission:
    """Follow a feed of PATCH messages to live listings (stock, price, content) like any feed,
    so that what Amazon refuses in it is seen: `kind` is "stockfeed" or "patchfeed"."""
    submission = Submission(
        shop_id=shop_id,
        kind=kind,
        marketplace_id=marketplace_id,
        feed_id=feed_id,
        status="submitted",
        message_count=len(message_skus),
        report={"message_skus": message_skus},
    )
    db.session.add(submission)
    db.session.commit()
    enqueue_feed_poll(submission.id, shop_id, delay_seconds=amazon_wait(2))
    return submission


def apply_report(submission: Submission, status: str, report: dict) -> None:
    """Each message's issues onto its listing; errors make the listing `error`."""
    skus = (submission.report or {}).get("message_skus", {})
    issues_by_sku: dict[str, list] = {}
    for issue in report.get("issues", []):
        sku = issue.get("sku") or skus.get(str(issue.get("messageId")))
        if sku:
            issues_by_sku.setdefault(sku, []).append(issue)
    if submission.kind in ("stockfeed", "patchfeed"):
        _apply_patch_report(submission, status, report, issues_by_sku)
        return
    listings = {
        row.sku: row
        for row in db.session.query(Listing).filter(Listing.submission_id == submission.id)
    }
    errors = 0
    for sku, row in listings.items():
        issues = issues_by_sku.get(sku, [])
        row.amazon_issues = issues
        if status != "DONE" or any(i.get("severity") == "ERROR" for i in issues):
            row.status, row.quantity_sent = "error", None  # Amazon holds no quantity from it
            errors += 1
        else:
            row.status = "submitted"  # accepted; active once Amazon makes it buyable
    summary = report.get("summary", {})
    submission.status = status.lower()
    submission.accepted = int(summary.get("messagesAccepted", len(listings) - errors))
    submission.invalid = int(summary.get("messagesInvalid", errors))
    submission.report = {**(submission.report or {}), "summary": summary}
    submission.finished_at = utcnow()
    if status == "FATAL":
        raise_alert(
            submission.shop_id,
            "feed_fatal",
            f"Amazon could not process feed {submission.feed_id} "
            f"({submission.message_count} listings); they were not changed.",
        )
    db.session.commit()
    request_status_refresh(
        submission.shop_id, submission.marketplace_id, delay_seconds=amazon_wait(2)
    )


def _apply_patch_report(submission: Submission, status: str, report: dict, issues_by_sku) -> None:
    """A refused change to a live listing: its issues shown, and a stock change sent again by
    the next sync (the listing keeps its last good state on Amazon)."""
    skus = set((submission.report or {}).get("message_skus", {}).values())
    refused = skus if status != "DONE" else {
        sku for sku, issues in issues_by_sku.items()
        if any(i.get("severity") == "ERROR" for i in issues)
    }  # fmt: skip
    rows = db.session.query(Listing).filter(
        Listing.shop_id == submission.shop_id,
        Listing.marketplace_id == submission.marketplace_id,
        Listing.sku.in_(refused),
    )
    for row in rows:
        row.amazon_issues = issues_by_sku.get(row.sku, [])
        if submission.kind == "stockfeed":
            row.quantity_sent = None
        else:
            row.status = "error"
    summary = report.get("summary", {})
    submission.status = status.lower()
    submission.accepted = int(summary.get("messagesAccepted", len(skus) - len(refused)))
    submission.invalid = int(summary.get("messagesInvalid", len(refused)))
    submission.report = {**(submission.report or {}), "summary": summary}
    submission.finished_at = utcnow()
    if refused:
        raise_alert(
            submission.shop_id,
            "feed_refused",
            f"Amazon refused {len(refused)} of {len(skus)} changes in feed {submission.feed_id}.",
        )
    db.session.commit()
