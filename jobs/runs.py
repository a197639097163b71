"""JobRun rows: what the seller sees of a job (status, counts, message), beyond RQ's expiry."""

from __future__ import annotations

from rq import get_current_job

from core.db import db, utcnow
from core.models import JobRun
from jobs.failures import describe, will_retry


def start_run(kind: str, shop_id: int | None, title: str, total: int = 0) -> JobRun:
    """Create (or, on a retry of the same RQ job, resume) the run row of the current job."""
    job = get_current_job()
    run = None
    if job is not None:
        run = db.session.query(JobRun).filter_by(rq_job_id=job.id).one_or_none()
    if run is None:
        run = JobRun(
            kind=kind,
            shop_id=shop_id,
            title=title,
            attempts=0,
            total=0,
            done=0,
            failed=0,
            rq_job_id=job.id if job else None,
        )
        db.session.add(run)
    run.status = "running"
    run.total = total or run.total
    run.attempts += 1
    run.started_at = utcnow()
    db.session.commit()
    return run


def finish_run(run: JobRun, message: str = "", failed: bool = False) -> None:
    run.status = "failed" if failed else "done"
    run.message = message[:4000]
    run.finished_at = utcnow()
    db.session.commit()


def progress(run: JobRun, done: int = 0, failed: int = 0, total: int | None = None) -> None:
    """Add to the counts and commit, so the page's progress bar moves while the job runs."""
    run.done += done
    run.failed += failed
    if total is not None:
        run.total = total
    db.session.commit()


def record_failure(run_id: int, exc: Exception) -> bool:
    """A job's attempt failed: its run row says why, `retrying` while RQ will try again, `failed`
    after the last attempt or at once when the failure is permanent (jobs/failures.py). Nothing
    of the attempt is kept. True when the failure is final."""
    db.session.rollback()
    run = db.session.get(JobRun, run_id)
    reason = describe(exc)
    if will_retry(get_current_job(), exc):
        run.status, run.message = "retrying", f"will retry: {reason}"[:4000]
        db.session.commit()
        return False
    finish_run(run, f"stopped: {reason}", failed=True)
    return True
