"""Following a feed to its report when getFeedDocument's budget is booked far ahead."""

from __future__ import annotations

import time

from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from core.db import db
from core.models import Submission
from core.redis import get_redis
from jobs.amazon import seller_for
from jobs.queues import enqueue, get_queue, safe_job_id
from mapping.payloads import feed_message
from tests.jobs.conftest import MARKETS
from tests.support.workers import run_burst_worker


def test_a_report_that_must_wait_minutes_for_getfeeddocument_is_polled_again_not_failed(world):
    # given: a finished feed, and a getFeedDocument bucket booked ~4 minutes ahead (another
    # fifteen reports of a large publish queued before this one)
    market = MARKETS["US"][1]
    seller = seller_for(world.shop_id, market)
    message = feed_message(1, "CP-001", "UPDATE", "PRODUCT", attributes={})
    feed_id = seller.submit_feed(market, [message])
    submission = Submission(shop_id=world.shop_id, kind="feed", marketplace_id=market,
                            feed_id=feed_id, status="submitted", message_count=1,
                            report={"message_skus": {"1": "CP-001"}})  # fmt: skip
    db.session.add(submission)
    db.session.commit()
    deadline = time.monotonic() + 30
    while seller.feed_status(market, feed_id)["processingStatus"] != "DONE":
        assert time.monotonic() < deadline, "the emulator did not process the feed"
        time.sleep(0.3)
    redis = get_redis()
    bucket = f"{world.settings.queue_prefix}:spapi:bucket:{seller.seller_id}:getFeedDocument"
    seconds, micros = redis.time()
    redis.hset(bucket, mapping={"tokens": -250, "ts": seconds * 1000 + micros // 1000})

    # when
    enqueue("jobs.feeds.poll_feed", submission.id, queue="listings", job_id="report-test")
    output = run_burst_worker(world.settings)

    # then: no failed job, the submission still waits, and its next poll is due later
    listings = get_queue("listings")
    assert FailedJobRegistry(queue=listings).get_job_ids() == [], output[-2000:]
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "submitted"
    scheduled = ScheduledJobRegistry(queue=listings)
    next_poll = safe_job_id(f"feed:{submission.id}:poll")
    assert next_poll in scheduled.get_job_ids()
    due_in = scheduled.get_expiration_time(listings.fetch_job(next_poll)).timestamp() - time.time()
    assert due_in > 60  # when the slot is due (about 230 s at the tests' speed-up), not at once

    # and once the budget is back, the next poll reads the report
    redis.delete(bucket)
    enqueue("jobs.feeds.poll_feed", submission.id, queue="listings", job_id="report-test-2")
    output = run_burst_worker(world.settings)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status == "done", output[-2000:]
