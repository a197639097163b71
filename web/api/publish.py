"""Publish actions: validate, trial run or publish selected products, and live progress."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.db import db
from core.models import JobRun, ProductSnapshot, TargetMarketplace
from jobs.queues import CATALOGUE_JOB_TIMEOUT, enqueue
from web.api.registry import not_found, operation

MODES = ("validate", "trial", "publish")
MODE_TITLES = {
    "validate": "Pre-validate listings",
    "trial": "Trial run",
    "publish": "Publish listings",
}


class PublishRequestSchema(Schema):
    product_ids = fields.List(fields.Int(), required=True, validate=validate.Length(min=1))
    marketplace_ids = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    mode = fields.Str(required=True, validate=validate.OneOf(MODES))

    @validates_schema
    def _limits(self, data, **kwargs):
        if len(data.get("product_ids", [])) > 20000:
            raise ValidationError("at most 20000 products per run", "product_ids")


class JobRunSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    status = fields.Str()
    total = fields.Int()
    done = fields.Int()
    failed = fields.Int()
    percent = fields.Int()
    message = fields.Str()
    attempts = fields.Int()
    details = fields.Dict()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class RunQuerySchema(Schema):
    kind = fields.Str(load_default="")
    status = fields.Str(load_default="")
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=500))


def run_view(run: JobRun) -> dict:
    """A run with its progress in percent (100 once finished, whatever the counts)."""
    finished = run.status in ("done", "failed")
    percent = (
        100 if finished else (int(100 * (run.done + run.failed) / run.total) if run.total else 0)
    )
    return {
        c: getattr(run, c)
        for c in (
            "id",
            "kind",
            "title",
            "status",
            "total",
            "done",
            "failed",
            "message",
            "attempts",
            "details",
            "created_at",
            "started_at",
            "finished_at",
        )
    } | {"percent": min(percent, 100)}


@operation(
    "/publish",
    "POST",
    summary="Validate, trial-run or publish products (queued run)",
    tag="publish",
    min_role="editor",
    body=PublishRequestSchema,
    response=JobRunSchema,
    status=202,
)
def start_publish(body: dict):
    product_ids = sorted(set(body["product_ids"]))
    mine = {
        pid
        for (pid,) in db.session.query(ProductSnapshot.id).filter(
            ProductSnapshot.shop_id == g.shop_id, ProductSnapshot.id.in_(product_ids)
        )
    }
    enabled = {
        mid
        for (mid,) in db.session.query(TargetMarketplace.marketplace_id).filter_by(
            shop_id=g.shop_id, enabled=True
        )
    }
    unknown_products = [pid for pid in product_ids if pid not in mine]
    unknown_markets = [m for m in body["marketplace_ids"] if m not in enabled]
    if unknown_products or unknown_markets:
        # Another tenant's ids look exactly like ids that do not exist.
        return not_found(
            f"unknown products {unknown_products[:10]} or marketplaces {unknown_markets[:10]}"
        )
    run = JobRun(
        shop_id=g.shop_id,
        kind="publish",
        title=MODE_TITLES[body["mode"]],
        status="queued",
        total=0,
        done=0,
        failed=0,
        attempts=0,
        details={
            "product_ids": product_ids,
            "marketplace_ids": sorted(set(body["marketplace_ids"])),
            "mode": body["mode"],
            "requested_by": g.user.id,
        },
    )
    db.session.add(run)
    db.session.commit()
    job = enqueue(
        "jobs.publish.run_publish",
        run.id,
        queue="listings",
        timeout=CATALOGUE_JOB_TIMEOUT,
        job_id=f"publish-run-{run.id}",
        title=run.title,
        shop_id=g.shop_id,
    )
    run.rq_job_id = job.id
    db.session.commit()
    return run_view(run)


@operation(
    "/runs/<int:run_id>",
    summary="A job run's progress (poll every second)",
    tag="activity",
    response=JobRunSchema,
)
def get_run(run_id: int):
    run = db.session.query(JobRun).filter_by(id=run_id, shop_id=g.shop_id).one_or_none()
    if run is None:
        return not_found("no such run")
    return run_view(run)


@operation(
    "/runs",
    summary="Recent job runs (publish, imports, syncs)",
    tag="activity",
    query=RunQuerySchema,
    response=JobRunSchema,
    many=True,
)
def list_runs(query: dict):
    runs = db.session.query(JobRun).filter_by(shop_id=g.shop_id)
    if query["kind"]:
        runs = runs.filter_by(kind=query["kind"])
    if query["status"]:
        runs = runs.filter_by(status=query["status"])
    return [run_view(r) for r in runs.order_by(JobRun.id.desc()).limit(query["limit"])]
