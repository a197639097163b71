"""Real RQ worker processes for the tests, started with the app's settings."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSPORT_")}
    env.update(settings.to_env())
    env["PYTHONPATH"] = str(REPO)
    return env


def start_worker(
    settings: Settings, *, burst: bool = False, queues: str = "", extra_env: dict | None = None
) -> subprocess.Popen:
    """`flask worker` in its own process group, so a test can SIGKILL it and its work horse."""
    args = [sys.executable, "-m", "flask", "--app", "app", "worker"]
    if burst:
        args.append("--burst")
    if queues:
        args += ["--queues", queues]
    log = tempfile.NamedTemporaryFile(prefix="crossport-worker-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        args,
        cwd=REPO,
        env={**worker_env(settings), **(extra_env or {})},
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log_path = log.name  # read it in a failing assertion's message
    return proc


def worker_output(proc: subprocess.Popen) -> str:
    return Path(proc.log_path).read_text(errors="replace")


def run_burst_worker(settings: Settings, timeout: float = 120) -> str:
    """Run a worker until the queues are empty; returns its output (for failure messages)."""
    proc = start_worker(settings, burst=True)
    proc.wait(timeout=timeout)
    return worker_output(proc)
