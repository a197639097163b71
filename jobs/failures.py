"""The one place that decides what a failed job attempt means: try again later, or stop now.

Integrations raise classified errors and never decide about jobs: Amazon's `AmazonError`,
Shopify's `ShopifyError` and WooCommerce's `WooApiError` each carry `retryable` (429, 5xx, no
answer: True; any other 4xx, a revoked authorization, our own bad credentials: False). Here, as
the style guide asks, a 429, a 5xx or a network error retries with the backoff declared at
enqueue; another 4xx is final at once and reported with the platform's codes. Anything else (a
worker killed, a lost database or Redis connection, a race that lost) is presumed transient:
running it again is how RQ's at-least-once delivery recovers from it.
"""

from __future__ import annotations

import logging

log = logging.getLogger("crossport.jobs")


def is_transient(exc: BaseException) -> bool:
    """May the same job succeed if it runs again later?"""
    flag = getattr(exc, "retryable", None)
    return True if flag is None else bool(flag)


def describe(exc: BaseException) -> str:
    """The reason a run row shows: the error, and the platform's codes and status when known."""
    reason = f"{type(exc).__name__}: {exc}"
    # Amazon and Shopify errors carry `codes`, WooCommerce's its one `code`
    codes = tuple(getattr(exc, "codes", ()) or ())
    if not codes and getattr(exc, "code", ""):
        codes = (exc.code,)
    status = getattr(exc, "status", 0)
    details = [f"HTTP {status}"] if status else []
    details += [f"codes {', '.join(map(str, codes))}"] if codes else []
    return f"{reason} ({'; '.join(details)})" if details else reason


def will_retry(job, exc: BaseException) -> bool:
    """True when RQ will run `job` again after `exc`: retries left and a transient failure."""
    return job is not None and (job.retries_left or 0) > 0 and is_transient(exc)


def stop_retrying_permanent(job, connection, exc_type, exc, traceback) -> None:
    """RQ's on_failure callback (run in the work horse before RQ decides to retry): a permanent
    failure spends the job's remaining retries, so RQ marks it failed at once instead of running
    a 400 four more times over twelve minutes."""
    if not is_transient(exc) and job.retries_left:
        log.info("permanent failure, not retried", extra={"job_id": job.id, "error": describe(exc)})
        job.retries_left = 0
