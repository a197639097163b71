"""The RQ worker that runs Crossport's jobs inside the Flask app context."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import time

from rq import Worker
from rq.serializers import JSONSerializer

from core.db import db
from core.redis import get_redis
from jobs.queues import QUEUES, queue_name

log = logging.getLogger("crossport.jobs")


class AppWorker(Worker):
    """A forking worker whose work horse uses fresh database connections and logs each job."""

    def perform_job(self, job, queue) -> bool:
        # The horse is a fork: pooled connections inherited from the parent must not be reused.
        db.engine.dispose(close=False)
        started = time.monotonic()
        meta = job.meta or {}
        try:
            ok = super().perform_job(job, queue)
        finally:
            db.session.remove()
        log.info(
            "job %s",
            "done" if ok else "failed",
            extra={
                "job_id": job.id,
                "job_func": job.func_name,
                "queue": queue.name,
                "shop_id": meta.get("shop_id"),
                "status": "done" if ok else "failed",
                "duration_ms": int((time.monotonic() - started) * 1000),
            },
        )
        return ok


def warm_up() -> None:
    """Import every job module and build the shared TLS context once, before any fork.

    Each job runs in a fresh fork of this process, which inherits what is loaded here: without
    this, every work horse imported its job's modules and loaded the certificate store again
    (about 0.1 s a job, as much as an order's own work when importing orders)."""
    import httpx
    from sqlalchemy.orm import configure_mappers

    import jobs
    from integrations.amazon.client import _tls_context  # the one every SP-API client shares

    for module in pkgutil.iter_modules(jobs.__path__):
        importlib.import_module(f"jobs.{module.name}")
    # What a horse otherwise did on its first query and its first HTTP client, every job:
    # configuring the ORM's mappers (~70 ms) and importing httpx's transport, httpcore (~80 ms).
    configure_mappers()
    httpx.Client(verify=_tls_context()).close()


def run_worker(queues: list[str] | None = None, burst: bool = False, with_scheduler: bool = True):
    """Work the given queues (default: all, highest priority first) until stopped."""
    names = [queue_name(q) for q in (queues or QUEUES)]
    warm_up()
    worker = AppWorker(
        names,
        connection=get_redis(),
        serializer=JSONSerializer,
        job_monitoring_interval=5,
    )
    # RQ's scheduler thread moves retried and delayed jobs back to their queues.
    return worker.work(burst=burst, with_scheduler=with_scheduler, logging_level="WARNING")
