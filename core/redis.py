"""The app's Redis connection (queues, rate-limit buckets, locks); never the system of record."""

from __future__ import annotations

import redis
from flask import current_app


def connect(url: str) -> redis.Redis:
    """A client with timeouts, so a dead Redis fails a request instead of hanging it."""
    return redis.Redis.from_url(
        url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
    )


def init_app(app) -> None:
    app.extensions["crossport_redis"] = None  # connected lazily: no I/O in create_app


def key(*parts: object) -> str:
    """A Redis key of this environment. Every key Crossport writes (locks, buckets, schedules,
    stock state, job ids) starts with the environment's `queue_prefix`, so environments that
    share one Redis server never read or take each other's state."""
    return ":".join([current_app.config["SETTINGS"].queue_prefix, *map(str, parts)])


def get_redis() -> redis.Redis:
    """The current app's Redis client, created on first use."""
    client = current_app.extensions.get("crossport_redis")
    if client is None:
        client = connect(current_app.config["SETTINGS"].redis_url)
        current_app.extensions["crossport_redis"] = client
    return client
