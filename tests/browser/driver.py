"""Stands in for the publish worker in browser tests: moves a JobRun row's counts over time.

The lead's `jobs.publish.run_publish` writes the same counts; until it exists, this thread
plays its part so the page's progress bar can be watched against a real database row.
"""

from __future__ import annotations

import threading
import time

from core.db import db
from core.models import JobRun


def drive_next_run(app, known_ids: set[int], total: int = 8, step_seconds: float = 0.25):
    """Wait for a new publish run, then count it to `total` and mark it done (in a thread)."""
    result: dict = {}

    def work():
        with app.app_context():
            deadline = time.monotonic() + 20
            run = None
            while run is None and time.monotonic() < deadline:
                run = (
                    db.session.query(JobRun)
                    .filter(JobRun.kind == "publish", JobRun.id.notin_(known_ids or {0}))
                    .order_by(JobRun.id.desc())
                    .first()
                )
                db.session.rollback()
                time.sleep(0.1)
            if run is None:
                return
            result["run_id"] = run.id
            run.status, run.total = "running", total
            db.session.commit()
            for _ in range(total):
                time.sleep(step_seconds)
                run.done += 1
                db.session.commit()
            run.status, run.message = "done", f"{total} listings checked"
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, result
