"""Shared fixtures: a real Redis per session, a migrated database per test, the app and client.

The database is SQLite unless CROSSPORT_TEST_DB=postgres (make test runs the suite both ways).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from core.migrations import upgrade
from core.settings import Settings
from tests.support.servers import (
    RedisServer,
    create_postgres_database,
    drop_postgres_database,
    postgres_admin_url,
)

TEST_DB = os.environ.get("CROSSPORT_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    import redis

    url = redis_server.url(db=1)
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """One migrated database per session, cloned for each test (migrating each time is slow)."""
    if TEST_DB == "postgres":
        admin = postgres_admin_url()
        if not admin:
            pytest.fail("CROSSPORT_TEST_DB=postgres needs CROSSPORT_TEST_POSTGRES_URL")
        url = create_postgres_database(admin)
        upgrade(url)
        yield url
        drop_postgres_database(admin, url)
    else:
        path = tmp_path_factory.mktemp("db") / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(template_database, tmp_path):
    if TEST_DB == "postgres":
        admin = postgres_admin_url()
        template_name = template_database.rsplit("/", 1)[1]
        url = create_postgres_database(admin, template=template_name)
        yield url
        drop_postgres_database(admin, url)
    else:
        path = tmp_path / "crossport.db"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def test_settings(database_url, redis_url, tmp_path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        queue_prefix=f"crossport-test-{tmp_path.name}",
        secret_key="test-secret-key-not-for-production",
        encryption_keys=(Fernet.generate_key().decode(),),
        public_url="http://127.0.0.1:8000",
        sandbox=True,
        shopify_api_key="test-api-key",
        shopify_api_secret="test-api-secret-long-enough-for-hs256",
        lwa_client_id="amzn1.application-oa2-client.test",
        lwa_client_secret="test-lwa-secret",
        spapi_app_id="amzn1.sp.solution.test",
        spapi_rate_speedup=50.0,
    )


@pytest.fixture
def app_factory(test_settings):
    """Build an app with some settings changed: app_factory(public_url=..., ...)."""
    from dataclasses import replace

    from app import create_app

    def make(**overrides):
        settings = replace(test_settings, **overrides)
        return create_app({"SETTINGS": settings, "TESTING": True})

    return make


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        from core.db import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def specs_dir() -> Path:
    """The official contracts folder; skipped without it, failed under CI (tests/support/specs)."""
    from tests.support.specs import specs_path

    return specs_path()


def pytest_collection_modifyitems(config, items):
    if TEST_DB == "postgres":
        _only_database_tests(config, items)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _long_tests_first(items)


def _only_database_tests(config, items) -> None:
    """On PostgreSQL (make test's second run) only the tests that use a database run: those whose
    fixtures include `database_url`. The others never reach a database, or build their own
    SQLite one, so a second run could not behave differently; they ran in the SQLite run."""
    keep, skip = [], []
    for item in items:
        (keep if "database_url" in getattr(item, "fixturenames", ()) else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


LONG_FIXTURES = {"world", "live", "journey", "browser"}  # real workers, a browser, whole journeys


def _long_tests_first(items) -> None:
    """In parallel runs (make test: --dist load --maxschedchunk 1, each process asking for the
    next test as it frees up), start the long tests first, each followed by a short one, so that
    they spread over the processes instead of one process ending the run with two journeys. The
    order is the same in every process (xdist requires it); a run in one process keeps its own."""

    def rank(item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        return 1 if LONG_FIXTURES & set(getattr(item, "fixturenames", ())) else 2

    long = sorted((i for i in items if rank(i) < 2), key=rank)  # stable: files stay together
    short = [i for i in items if rank(i) == 2]
    ordered = []
    for index, item in enumerate(long):
        ordered.append(item)
        if index < len(short):
            ordered.append(short[index])
    items[:] = ordered + short[len(long) :]
