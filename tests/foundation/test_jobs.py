"""Jobs through real worker processes on a real Redis."""

import os
import signal
import time

from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from core.db import db
from core.models import JobRun, Shop
from core.redis import get_redis
from jobs.maintenance import fail_abandoned_runs
from jobs.queues import enqueue, get_queue
from jobs.scheduler import PeriodicTask, tick
from tests.support.workers import run_burst_worker, start_worker, worker_output


def _shop(name="before"):
    shop = Shop(platform="shopify", domain=f"{name}.myshopify.com", name=name)
    db.session.add(shop)
    db.session.commit()
    return shop


def test_job_round_trip_through_a_worker_process(app, test_settings):
    shop = _shop()
    job = enqueue(
        "tests.support.sample_jobs.rename_shop", shop.id, "after", title="rename", shop_id=shop.id
    )
    assert job.meta == {"title": "rename", "shop_id": shop.id}
    output = run_burst_worker(test_settings)
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).name == "after", output
    assert f'"job_id": "{job.id}"' in output and '"status": "done"' in output


def test_job_arguments_are_ids_only(app):
    import pytest

    with pytest.raises(TypeError):
        enqueue("tests.support.sample_jobs.rename_shop", {"id": 1})


def test_same_job_id_is_coalesced_while_waiting(app):
    first = enqueue("tests.support.sample_jobs.rename_shop", 1, "a", job_id="inventory:1:SKU-1")
    second = enqueue("tests.support.sample_jobs.rename_shop", 1, "a", job_id="inventory:1:SKU-1")
    assert first.id == second.id
    assert get_queue("sync").count == 1


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _kill_worker_mid_job(test_settings, shop, marker, job_id):
    worker = start_worker(test_settings)
    began = _wait_for(lambda: marker.exists() and "started" in marker.read_text())
    assert began, worker_output(worker)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, no chance to clean up
    worker.wait(timeout=10)
    queue = get_queue("sync")
    registry = StartedJobRegistry(queue=queue)
    assert job_id in [j.split(":")[0] for j in registry.get_job_ids(cleanup=False)]
    # RQ declares a started job abandoned when its heartbeat (interval + 60 s) has lapsed;
    # run that same cleanup with the clock moved past the lapse instead of sleeping a minute.
    registry.cleanup(timestamp=time.time() + 120)


def test_worker_killed_mid_job_reruns_the_job(app, test_settings, tmp_path):
    shop = _shop()
    marker = tmp_path / "marker"
    job = enqueue(
        "tests.support.sample_jobs.slow_count", shop.id, str(marker), title="slow", shop_id=shop.id
    )
    _kill_worker_mid_job(test_settings, shop, marker, job.id)
    # the abandoned job had retries left: it is queued again (after its retry delay)
    output = ""
    assert _wait_for(
        lambda: (
            Job.fetch(job.id, connection=get_redis(), serializer=JSONSerializer).get_status(
                refresh=True
            )
            in ("scheduled", "queued")
        )
    )
    worker = start_worker(test_settings)
    try:

        def finished():
            db.session.expire_all()
            return (
                db.session.get(Shop, shop.id).settings.get("attempts") == 2
                and db.session.query(JobRun).filter_by(rq_job_id=job.id).one().status == "done"
            )

        assert _wait_for(finished, timeout=40), output
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    run = db.session.query(JobRun).filter_by(rq_job_id=job.id).one()
    assert run.attempts == 2 and run.message == "finished on attempt 2"


def test_worker_killed_mid_job_without_retries_is_recorded_failed(app, test_settings, tmp_path):
    shop = _shop()
    marker = tmp_path / "marker"
    job = enqueue(
        "tests.support.sample_jobs.slow_count",
        shop.id,
        str(marker),
        retry=False,
        title="slow",
        shop_id=shop.id,
    )
    _kill_worker_mid_job(test_settings, shop, marker, job.id)
    failed = FailedJobRegistry(queue=get_queue("sync"))
    assert job.id in failed.get_job_ids()
    fetched = Job.fetch(job.id, connection=get_redis(), serializer=JSONSerializer)
    assert "AbandonedJobError" in (fetched.latest_result().exc_string or "")
    # and the seller-facing run row says so instead of spinning for ever
    assert fail_abandoned_runs() == 1
    run = db.session.query(JobRun).filter_by(rq_job_id=job.id).one()
    assert run.status == "failed" and "worker" in run.message


def test_scheduler_enqueues_each_task_once_per_interval_across_processes(app):
    task = PeriodicTask("t", "tests.support.sample_jobs.rename_shop", 60)
    now = 1_000_000.0
    assert tick((task,), now=now) == ["t"]
    assert tick((task,), now=now + 1) == []  # a second scheduler process in the same slot
    assert tick((task,), now=now + 60) == ["t"]
    assert get_queue("periodic").count == 1  # and the pending run is coalesced


def test_a_permanent_failure_is_final_at_once_with_the_platform_codes(app, test_settings):
    """Amazon's 400 will be a 400 in twelve minutes too: no retry, the run row says why."""
    shop = _shop()
    job = enqueue("tests.support.sample_jobs.fail_with", shop.id, "permanent", shop_id=shop.id)
    output = run_burst_worker(test_settings)
    fetched = Job.fetch(job.id, connection=get_redis(), serializer=JSONSerializer)
    assert fetched.get_status(refresh=True) == "failed", output
    assert job.id in FailedJobRegistry(queue=get_queue("sync")).get_job_ids()
    run = db.session.query(JobRun).filter_by(rq_job_id=job.id).one()
    assert run.attempts == 1 and run.status == "failed"
    assert "HTTP 400" in run.message and "InvalidInput" in run.message


def test_a_transient_failure_is_retried_and_shown_as_retrying(app, test_settings):
    shop = _shop()
    job = enqueue("tests.support.sample_jobs.fail_with", shop.id, "transient", shop_id=shop.id)
    output = run_burst_worker(test_settings)
    fetched = Job.fetch(job.id, connection=get_redis(), serializer=JSONSerializer)
    # the first retry interval is 0: the burst worker ran it again at once, then it was scheduled
    assert fetched.get_status(refresh=True) == "scheduled", output
    assert fetched.retries_left == 2
    run = db.session.query(JobRun).filter_by(rq_job_id=job.id).one()
    assert run.attempts == 2 and run.status == "retrying"
    assert run.message.startswith("will retry: AmazonTemporaryError") and "HTTP 503" in run.message
