"""Four worker processes publishing at once stay within Amazon's documented rate and burst."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sandbox.amazon.throttle import USAGE_PLANS

REPO = Path(__file__).resolve().parents[2]
SPEEDUP = 4.0  # putListingsItem: 20 requests/s, burst 10
PER_WORKER = 15


def _excess(times: list[float], rate: float, burst: int) -> float:
    """How far the busiest window [t_i, t_j] goes beyond burst + rate x (t_j - t_i) requests
    (0 when every window keeps to the usage plan)."""
    worst = 0.0
    for i in range(len(times)):
        for j in range(i, len(times)):
            worst = max(worst, (j - i + 1) - (burst + rate * (times[j] - times[i])))
    return round(worst, 2)


def test_four_processes_never_exceed_rate_and_burst(emulator, seller, redis_url):
    # given the emulator's buckets at four times Amazon's pace
    emulator.control("POST", "options", json={"speedup": SPEEDUP})
    args = [emulator.url, redis_url, seller["refresh_tokens"]["EU"], seller["seller_id"],
            str(SPEEDUP), str(PER_WORKER)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # when four processes, each with its own client, publish at the same time
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.amazon.publisher", *args, str(n)],
                         cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]  # fmt: skip
    for worker in workers:
        _, errors = worker.communicate(timeout=60)
        assert worker.returncode == 0, errors
    # then every listing arrived, none was throttled, and the arrivals fit the usage plan
    calls = emulator.calls("putListingsItem")
    assert len(calls) == 4 * PER_WORKER
    assert [c for c in calls if c["status"] != 200] == []
    rate, burst = USAGE_PLANS["putListingsItem"]
    times = sorted(c["at"] for c in calls)
    assert _excess(times, rate * SPEEDUP, burst) < 1.0
    # and the run took as long as the plan demands (the limiter is not a no-op)
    assert times[-1] - times[0] >= (4 * PER_WORKER - burst) / (rate * SPEEDUP) * 0.9
