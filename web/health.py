"""GET /health: database, Redis, queue depths and live workers; 503 when a dependency is down."""

from __future__ import annotations

from flask import Blueprint, jsonify
from rq import Worker
from sqlalchemy import text

from core.db import db
from core.redis import get_redis
from jobs.queues import QUEUES, get_queue

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    report: dict = {"database": "ok", "redis": "ok", "queues": {}, "workers": 0}
    healthy = True
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the database is unusable
        report["database"] = f"down: {type(exc).__name__}"
        healthy = False
    try:
        redis = get_redis()
        redis.ping()
        report["queues"] = {name: get_queue(name).count for name in QUEUES}
        report["workers"] = len(Worker.all(connection=redis))
    except Exception as exc:  # connection refused, timeout, auth
        report["redis"] = f"down: {type(exc).__name__}"
        healthy = False
    report["status"] = "ok" if healthy else "unavailable"
    return jsonify(report), 200 if healthy else 503
