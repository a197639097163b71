"""Queue helpers with Crossport's defaults, as CKAN's lib/jobs.py: one place to enqueue."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from flask import current_app
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from core.redis import get_redis
from jobs.failures import stop_retrying_permanent

log = logging.getLogger("crossport.jobs")

# Highest priority first: a worker listening on several queues drains them in this order.
# Stock and price syncs come first (late stock oversells; the jobs are short); webhook events,
# whose stock part is already requested on receipt, fan out the rest right after.
QUEUES = ("sync", "webhooks", "listings", "orders", "bulk", "periodic")

DEFAULT_TIMEOUT = 300
# A job that maps the whole catalogue (publish, re-price, re-sync after a mapping edit): mapping
# 10,000 SKUs for 8 marketplaces takes minutes, far past the default timeout.
CATALOGUE_JOB_TIMEOUT = 3 * 3600
# Job data are ids only, but results and tracebacks may quote values: keep them briefly.
RESULT_TTL = 3600
FAILURE_TTL = 7 * 24 * 3600
# A job interrupted (worker died, 5xx, 429 after the client's own backoff) runs again at once,
# then minutes apart; the clients retry single calls themselves before failing a job. What is
# transient and what is final is decided in jobs/failures.py, for every job.
TRANSIENT_RETRY_INTERVALS = [0, 30, 120, 600]

_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def queue_name(name: str) -> str:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; one of {', '.join(QUEUES)}")
    return f"{current_app.config['SETTINGS'].queue_prefix}:{name}"


def get_queue(name: str) -> Queue:
    return Queue(queue_name(name), connection=get_redis(), serializer=JSONSerializer)


def all_queues() -> list[Queue]:
    return [get_queue(name) for name in QUEUES]


def enqueue(
    func: Callable | str,
    *ids: int | str,
    queue: str = "sync",
    job_id: str | None = None,
    title: str = "",
    shop_id: int | None = None,
    retry: bool = True,
    timeout: int = DEFAULT_TIMEOUT,
    delay_seconds: float = 0,
) -> Job:
    """Enqueue `func(*ids)` on a Crossport queue.

    Arguments are ids (JSON scalars) only: a job loads what it needs when it runs. With a
    `job_id`, a job of that id still waiting is reused (coalescing: it will read the latest
    state when it runs); one already running gets a single follow-up, coalesced the same way.
    """
    for value in ids:
        if not isinstance(value, int | str) or isinstance(value, bool):
            raise TypeError(f"job arguments are ids only, got {type(value).__name__}")
    q = get_queue(queue)
    if job_id:
        job_id = safe_job_id(job_id)
        waiting = _waiting_job(job_id)
        if waiting is not None:
            return waiting
        if _is_running(job_id):
            job_id = f"{job_id}-next"
            waiting = _waiting_job(job_id)
            if waiting is not None:
                return waiting
    options = dict(
        args=ids,
        job_id=job_id,
        job_timeout=timeout,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        retry=Retry(max=len(TRANSIENT_RETRY_INTERVALS), interval=TRANSIENT_RETRY_INTERVALS)
        if retry
        else None,
        on_failure=Callback(stop_retrying_permanent) if retry else None,
        meta={"title": title or _func_name(func), "shop_id": shop_id},
        description=title or _func_name(func),
    )
    if delay_seconds > 0:
        from datetime import timedelta

        job = q.enqueue_in(timedelta(seconds=delay_seconds), func, **options)
    else:
        job = q.enqueue(func, **options)
    log.info("enqueued", extra={"job_id": job.id, "queue": queue, "shop_id": shop_id})
    return job


def safe_job_id(key: str) -> str:
    """The RQ id of a deterministic job key, in this environment: RQ's job hashes are global
    (`rq:job:<id>`), so the id starts with the queue prefix, as every Redis key does
    (core.redis.key). RQ ids allow letters, digits, _ and -: keep the key readable, add a hash
    if it changed."""
    key = f"{current_app.config['SETTINGS'].queue_prefix}:{key}"
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", key)
    if cleaned == key:
        return key
    return f"{cleaned[:80]}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def _fetch(job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=get_redis(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def _waiting_job(job_id: str) -> Job | None:
    job = _fetch(job_id)
    return job if job is not None and job.get_status(refresh=True) in _WAITING else None


def _is_running(job_id: str) -> bool:
    job = _fetch(job_id)
    return job is not None and job.get_status(refresh=True) == JobStatus.STARTED


def _func_name(func: Callable | str) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"
