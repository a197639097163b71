"""Environments share one Redis only if every key they write is their own (core.redis.key)."""

from __future__ import annotations

import re
from pathlib import Path

from core.redis import get_redis
from jobs.queues import enqueue, get_queue
from jobs.scheduler import PeriodicTask, tick
from jobs.stock import burst_keys, latency_key, request_stock_sync

REPO = Path(__file__).resolve().parents[2]
# RQ's index of queue names: one set per Redis by RQ's design; the names in it are prefixed.
RQ_GLOBAL = {b"rq:queues"}


def _write_everything(app) -> set[bytes]:
    """What one environment writes for the same shop, SKU, job key and schedule slot."""
    with app.app_context():
        redis = get_redis()
        before = set(redis.keys("*")) | RQ_GLOBAL
        request_stock_sync(1, "SKU-1")  # burst state, then a coalesced job
        enqueue("tests.support.sample_jobs.rename_shop", 1, "a", job_id="inventory-test:1:SKU-1")
        tick((PeriodicTask("t", "tests.support.sample_jobs.rename_shop", 60),), now=1_000_000.0)
        redis.lpush(latency_key(1), 5)
        return set(redis.keys("*")) - before


def test_two_environments_on_one_redis_never_cross(app_factory):
    blue = app_factory(queue_prefix="blue")
    green = app_factory(queue_prefix="green")
    blue_keys = _write_everything(blue)
    green_keys = _write_everything(green)
    # every key names its environment (RQ's own keys carry the queue or job id that does)
    for prefix, keys in (("blue", blue_keys), ("green", green_keys)):
        assert keys, prefix
        for key in keys:
            assert re.match(rb"^(rq:[a-z_]+:)?" + prefix.encode() + rb"[:-]", key), (prefix, key)
    assert not blue_keys & green_keys
    # and green's coalescing did not take blue's waiting jobs for its own
    for app in (blue, green):
        with app.app_context():
            sync = get_queue("sync")
            # the test job, and the stock sync waiting out its debounce
            assert len(sync.job_ids) == 1 and len(sync.scheduled_job_registry.get_job_ids()) == 1
            assert len(get_queue("periodic").job_ids) == 1
            assert get_redis().exists(*burst_keys(1, "SKU-1")) == 2


def test_no_redis_key_is_spelled_outside_the_helper():
    """A key written as a literal "crossport:..." would be shared by every environment."""
    offenders = []
    for folder in ("core", "jobs", "integrations", "web"):
        for path in (REPO / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"""f?["']crossport:""", line):
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
