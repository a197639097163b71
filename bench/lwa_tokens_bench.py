"""Benchmark LWA token requests per job: every RQ job runs in a freshly forked work horse, so an
access token cached in the process dies with the job. Shared in Redis (encrypted), one token
serves every job of an account until it is due for renewal.

    .venv/bin/python bench/lwa_tokens_bench.py [--jobs 60] [--workers 3] [--rounds 2]

Each job makes one searchListingsItems call for one of the seller's three regional accounts,
through the production client; the baseline runs the same jobs with the token kept only in the
process (as before), in the same run and alternating with the shared rounds. Printed: LWA token
requests seen by the emulator, per job, and the jobs' run time (RQ's started_at to ended_at). The
LWA endpoint here is the local emulator (a few ms); Amazon's is a round trip over the internet,
so the time each avoided request saves in production is larger than measured here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.world import build_world, percentile, wait_for  # noqa: E402

SPEEDUP = 50.0  # rate limits x50: the calls themselves never wait for a bucket here


def run_round(world, jobs: int, shared: bool) -> dict:
    from rq import Queue
    from rq.job import Job

    from core.redis import get_redis
    from jobs.queues import enqueue, queue_name

    before = len(world.amazon.calls("lwa:refresh_token"))
    started = time.monotonic()
    ids = []
    accounts = list(world.account_ids.values())
    for n in range(jobs):
        job = enqueue("bench.lwa_tokens_jobs.search_one", accounts[n % len(accounts)], int(shared),
                      queue="orders")  # fmt: skip
        ids.append(job.id)
    redis = get_redis()
    queue = Queue(queue_name("orders"), connection=redis)

    def finished():
        done = Job.fetch_many(ids, connection=redis)
        return all(j is not None and j.get_status() in ("finished", "failed") for j in done)

    wait_for(finished, 300, 0.1, "the jobs")
    wall = time.monotonic() - started
    done = Job.fetch_many(ids, connection=redis)
    failed = [j.id for j in done if j.get_status() == "failed"]
    seconds = [(j.ended_at - j.started_at).total_seconds() for j in done if j.ended_at]
    grants = len(world.amazon.calls("lwa:refresh_token")) - before
    assert not queue.count
    return {"wall": wall, "grants": grants, "failed": len(failed),
            "median_ms": statistics.median(seconds) * 1000,
            "p90_ms": percentile(seconds, 0.9) * 1000}  # fmt: skip


def forget_shared_tokens(world) -> None:
    """A fresh start for a round: no token cached in Redis (the workers' memory dies per job)."""
    client = world.redis()
    for key in client.scan_iter(f"{world.settings.queue_prefix}:lwa:*"):
        client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    world = build_world(speedup=SPEEDUP, seed_store=False)
    try:
        world.start_workers(args.workers)
        run_round(world, 6, True)  # warm-up: workers started, modules imported
        results = {False: [], True: []}
        for _ in range(args.rounds):
            for shared in (False, True):
                forget_shared_tokens(world)
                world.refill_rate_limits()
                results[shared].append(run_round(world, args.jobs, shared))
        print(
            f"{args.jobs} jobs per round, one SP-API call each, over 3 accounts; "
            f"{args.workers} workers; {args.rounds} rounds each, alternating"
        )
        for shared, label in ((False, "token per process (before)"), (True, "shared in Redis")):
            for r in results[shared]:
                print(
                    f"  {label:28s} LWA requests {r['grants']:3d} "
                    f"({r['grants'] / args.jobs:.2f} per job), job median {r['median_ms']:.1f} "
                    f"ms, p90 {r['p90_ms']:.1f} ms, all jobs {r['wall']:.2f} s, "
                    f"failed {r['failed']}"
                )
        before = statistics.median(r["median_ms"] for r in results[False])
        after = statistics.median(r["median_ms"] for r in results[True])
        grants_before = sum(r["grants"] for r in results[False])
        grants_after = sum(r["grants"] for r in results[True])
        print(
            f"LWA requests: {grants_before} -> {grants_after} "
            f"({grants_before / max(grants_after, 1):.0f}x fewer); job median "
            f"{before:.1f} -> {after:.1f} ms ({before / after:.2f}x)"
        )
    finally:
        world.stop()


if __name__ == "__main__":
    main()
