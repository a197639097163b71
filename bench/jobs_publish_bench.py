"""Benchmark publishing N SKUs to 8 marketplaces with jobs.publish.run_publish (mode "publish"):
SP-API calls by operation, the time those calls need under Amazon's documented limits (computed
from the counts, and measured at the emulator's speed-up, scaled back), beside the floor the
limits allow and the item-by-item baseline; and this machine's time for mapping + validation +
feed building.

    .venv/bin/python bench/jobs_publish_bench.py [--skus 10000] [--speedup 50] [--workers 2]

Products are inserted as snapshot rows cloned from the demo store's valid simple products.
run_publish runs in this process (a 10,000-SKU run outlasts RQ's default job timeout); real
workers then follow the feeds to their processing reports.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.world import add_profiles, bucket_seconds, build_world, wait_for  # noqa: E402

MAX_MESSAGES = 25_000
MAX_FEED_BYTES = 10 * 1024 * 1024
FEEDS_PER_REGION_WINDOW = (5, 300)  # 5 submissions per 5 minutes per region (May 2025)
SUBMISSION_OPS = ("createFeedDocument", "createFeed")
READ_BACK = ("searchListingsItems", "getListingsItem")  # statuses after the reports


def _templates(shop_id: int) -> list[dict]:
    """Valid simple products of the demo store (Kitchen and Home) in canonical shape."""
    from core.db import db
    from core.models import ProductSnapshot
    from jobs.catalog import import_catalogue
    from tests.jobs.conftest import PRODUCT_TYPES

    import_catalogue(shop_id)
    rows = db.session.query(ProductSnapshot).filter_by(shop_id=shop_id).all()
    templates = [
        (r.data, PRODUCT_TYPES[r.data["category"]])
        for r in rows
        if r.data.get("category") in ("Kitchen", "Home") and len(r.data["variants"]) == 1
    ]
    for row in rows:  # the demo catalogue itself is not part of the run
        row.deleted = True
    db.session.commit()
    return templates


def insert_products(shop_id: int, count: int) -> list[int]:
    """`count` products with one SKU each, as snapshot rows (canonical shape)."""
    from core.db import db, utcnow
    from core.models import ProductSnapshot, VariantSnapshot

    templates = _templates(shop_id)
    now = utcnow()
    snapshots = []
    for n in range(count):
        data, product_type = templates[n % len(templates)]
        data = copy.deepcopy(data)
        data["id"] = f"9{n:07d}"
        data["title"] = f"{data['title']} #{n + 1}"
        variant = data["variants"][0]
        variant.update(id=data["id"], sku=f"BENCH-{n + 1:06d}", quantity=5 + n % 20)
        snapshots.append(
            ProductSnapshot(
                shop_id=shop_id,
                external_id=data["id"],
                title=data["title"],
                data=data,
                deleted=False,
                product_type=product_type,
                store_updated_at=now,
                synced_at=now,
            )
        )
    db.session.add_all(snapshots)
    db.session.flush()
    for snapshot in snapshots:
        variant = snapshot.data["variants"][0]
        db.session.add(
            VariantSnapshot(
                shop_id=shop_id,
                product_id=snapshot.id,
                sku=variant["sku"],
                external_id=variant["id"],
                barcode=None,
                price=variant["price"],
                quantity=variant["quantity"],
                data=variant,
            )
        )
    db.session.commit()
    return [s.id for s in snapshots]


def _run_publish(world, product_ids: list[int]):
    from core.db import db
    from core.models import JobRun
    from jobs.publish import run_publish

    run = JobRun(
        shop_id=world.shop_id,
        kind="publish",
        title="publish (bench)",
        status="queued",
        total=0,
        done=0,
        failed=0,
        attempts=0,
        details={"mode": "publish", "marketplace_ids": [], "product_ids": product_ids},
    )
    db.session.add(run)
    db.session.commit()
    started = time.monotonic()
    run_publish(run.id)
    elapsed = time.monotonic() - started
    db.session.expire_all()
    return db.session.get(JobRun, run.id), elapsed


def _process_feeds(world, timeout: float) -> float:
    """Let "Amazon" process the feeds now, in this process, before anyone polls: the emulator
    otherwise does it inside a getFeed request, which outlasts the client's 30 s timeout for
    feeds this large. Returns the seconds the emulator spent (not Crossport's time)."""
    from sandbox.amazon import api_feeds

    emulator, spent = world.emulator, 0.0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with emulator.state.lock:
            feeds = list(emulator.state.feeds.values())
            if all(f["processingStatus"] in api_feeds.FINAL for f in feeds):
                return spent
            started = time.monotonic()
            api_feeds.advance(emulator)
            spent += time.monotonic() - started
        time.sleep(0.2)
    raise TimeoutError("the emulator did not finish processing the feeds")


def _follow_feeds(world, workers: int, timeout: float, kind: str = "feed") -> float:
    """Start workers and wait until every feed of `kind` ("feed", "patchfeed") has its report."""
    from core.db import db
    from core.models import Submission

    started = time.monotonic()
    world.start_workers(workers)
    wait_for(
        lambda: all(
            s.status in ("done", "fatal", "cancelled")
            for s in db.session.query(Submission).filter_by(kind=kind)
        ),
        timeout,
        1.0,
        f"{kind} reports",
    )
    return time.monotonic() - started


def _floor(skus: int, markets: int, doc_bytes: list[int], regions: Counter) -> dict:
    """The fewest calls Amazon's limits allow for skus x markets listings (feeds only)."""
    per_market = max(
        math.ceil(skus / MAX_MESSAGES),
        math.ceil(sum(doc_bytes) / max(1, markets) / MAX_FEED_BYTES) if doc_bytes else 1,
    )
    feeds = markets * per_market
    return {
        "feeds": feeds,
        "per_market": per_market,
        "calls": {
            "createFeedDocument": feeds,
            "createFeed": feeds,
            "getFeed": feeds,
            "getFeedDocument": feeds,
        },
        "regions": Counter({r: n * per_market for r, n in regions.items()}),
    }


def _window_seconds(feeds_by_region: Counter) -> float:
    """Extra wait the 5-per-5-minutes-per-region feed rule imposes (regions in parallel)."""
    limit, window = FEEDS_PER_REGION_WINDOW
    return max([math.ceil(n / limit - 1) * window for n in feeds_by_region.values()] or [0])


def _busiest_window(calls: list[dict], speedup: float) -> dict[str, int]:
    """Per region, the most createFeed calls that fell in one 5-minute window (Amazon's clock)."""
    window = FEEDS_PER_REGION_WINDOW[1] / speedup
    busiest: dict[str, int] = {}
    for region in {c["region"] for c in calls if c["operation"] == "createFeed"}:
        at = sorted(
            c["at"]
            for c in calls
            if c["operation"] == "createFeed" and c["region"] == region and c["status"] < 400
        )
        start = 0
        for end, moment in enumerate(at):
            while moment - at[start] >= window:
                start += 1
            busiest[region] = max(busiest.get(region, 0), end - start + 1)
    return busiest


def _limit_time(counts: dict[str, int], plans: dict, full: bool) -> tuple[float, str]:
    worst, name = 0.0, "-"
    for op, n in counts.items():
        if op in plans:
            seconds = bucket_seconds(n, *plans[op], full=full)
            if seconds > worst:
                worst, name = seconds, op
    return worst, name


def _paced(calls: list[dict], plans: dict, speedup: float) -> dict:
    """Per operation that went past its burst during the run: calls past the burst, their span
    at the emulator scaled back by the speed-up, and the documented pace for as many calls."""
    paced = {}
    for op, (rate, burst) in plans.items():
        at = sorted(c["at"] for c in calls if c["operation"] == op)
        if len(at) > burst:
            paced[op] = (
                len(at) - burst,
                burst,
                (at[-1] - at[burst - 1]) * speedup,
                (len(at) - burst) / rate,
            )
    return paced


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--speedup", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--feed-timeout", type=float, default=300.0)
    args = parser.parse_args()

    world = build_world(speedup=args.speedup)
    try:
        from core.db import db
        from core.models import Listing, Submission, TargetMarketplace
        from integrations.amazon.ratelimit import USAGE_PLANS

        add_profiles(world.shop_id)
        ids = insert_products(world.shop_id, args.skus)
        targets = db.session.query(TargetMarketplace).filter_by(shop_id=world.shop_id).all()
        markets = len(targets)
        run_started = time.time()
        run, publish_seconds = _run_publish(world, ids)
        summary = (run.details or {}).get("summary", {})
        log_rows = list(world.amazon_log.rows)
        emulator_seconds = _process_feeds(world, args.feed_timeout)
        feed_seconds = _follow_feeds(world, args.workers, args.feed_timeout)
        world.stop_workers()

        calls = world.amazon.calls()
        by_op = Counter(c["operation"] for c in calls)
        throttled = Counter(c["operation"] for c in calls if c["status"] == 429)
        emulator = world.emulator
        docs = [
            len(d.get("content") or b"")
            for d in emulator.state.documents.values()
            if d.get("uploadable") is not False and d.get("content")
        ]
        region_of = {t.marketplace_id: t.account.region for t in targets}
        feeds_by_region = Counter(
            region_of.get(f["marketplaceIds"][0], "?") for f in emulator.state.feeds.values()
        )
        statuses = Counter(s for (s,) in db.session.query(Listing.status))
        submissions = db.session.query(Submission).filter_by(kind="feed").all()
        accepted = sum(s.accepted or 0 for s in submissions)

        # time spent in submission calls (createFeedDocument ... createFeed, upload included)
        submit_at = sorted(c["at"] for c in calls if c["operation"] in SUBMISSION_OPS)
        first_doc = min(
            [r["at"] for r in log_rows if r["path"].endswith("/documents")], default=run_started
        )
        to_first_feed = first_doc - run_started
        submit_span = (submit_at[-1] - first_doc) if submit_at else 0.0

        N, listings = args.skus, args.skus * markets
        floor = _floor(N, markets, docs, Counter(region_of.values()))
        plans = {op: USAGE_PLANS[op] for op in by_op if op in USAGE_PLANS}
        publishing = {op: n for op, n in by_op.items() if op not in READ_BACK}
        made_full, made_op = _limit_time(publishing, plans, full=True)
        made_empty, made_empty_op = _limit_time(publishing, plans, full=False)
        floor_full, _ = _limit_time(
            floor["calls"], plans | {op: USAGE_PLANS[op] for op in floor["calls"]}, full=True
        )
        floor_empty, floor_op = _limit_time(
            floor["calls"], {op: USAGE_PLANS[op] for op in floor["calls"]}, full=False
        )
        window_made = _window_seconds(feeds_by_region)
        window_floor = _window_seconds(floor["regions"])
        put_rate, put_burst = USAGE_PLANS["putListingsItem"]
        baseline = bucket_seconds(listings, put_rate, put_burst)
        paced = _paced(calls, {op: p for op, p in plans.items() if op in publishing}, args.speedup)
        print(
            f"Publishing {N:,} SKUs to {markets} marketplaces = {listings:,} listings "
            f"(emulator and client at speed-up x{args.speedup:g})"
        )
        print(f"  run: {run.status}: {run.message}")
        print(f"  listings: {dict(statuses)}; feed messages accepted {accepted:,}")
        print("SP-API calls by operation (emulator call log, until every feed report was read)")
        for op, n in sorted(by_op.items()):
            rate, burst = USAGE_PLANS.get(op, (0, 0))
            need = bucket_seconds(n, rate, burst) if rate else 0
            print(
                f"  {op:30s} {n:6d}  429s {throttled[op]:3d}   {rate:g}/s burst {burst:<3d}"
                f"  needs {need:9.1f} s from a full bucket"
            )
        regions = ", ".join(f"{k}: {v}" for k, v in sorted(feeds_by_region.items()))
        print(
            f"  total {sum(by_op.values())} calls; {len(submissions)} feeds, "
            f"{sum(docs) / 1e6:.1f} MB uploaded ({regions})"
        )
        reads = math.ceil(N / 20) * markets
        print(
            f"  (searchListingsItems: the status read-back after the reports, not publishing; "
            f"all {listings:,} listings once = {reads} calls = "
            f"{bucket_seconds(reads, *USAGE_PLANS['searchListingsItems']):.0f} s at 5/s)"
        )
        print("Time the publishing calls (all but the read-back) need under Amazon's limits")
        print(
            f"  computed, full buckets:  {made_full:9.1f} s (bottleneck {made_op})"
            f" + {window_made:.0f} s for the 5-feeds-per-5-min rule"
        )
        print(f"  computed, empty buckets: {made_empty:9.1f} s (bottleneck {made_empty_op})")
        busiest = _busiest_window(calls, args.speedup)
        over = {r: n for r, n in busiest.items() if n > FEEDS_PER_REGION_WINDOW[0]}
        print(
            f"  measured: most createFeed in any 5 minutes (Amazon's clock) by region: "
            f"{dict(sorted(busiest.items()))} (limit {FEEDS_PER_REGION_WINDOW[0]}; "
            f"{'EXCEEDED in ' + ', '.join(over) if over else 'kept'})"
        )
        for op, (n, burst, seconds, need) in sorted(paced.items()):
            print(
                f"  measured at x{args.speedup:g}, scaled back: {op} {n} calls past the burst "
                f"of {burst} were {seconds:.1f} s apart (the limit needs {need:.1f} s; "
                f"more = spread by this machine's mapping work, not by the limit)"
            )
        if not paced:
            print("  measured: every operation stayed within its burst (no call waited)")
        print(
            "Floor the limits allow (fewest calls: one feed per marketplace per 25,000 "
            f"messages / 10 MiB = {floor['feeds']} feeds)"
        )
        print(f"  floor calls: {floor['calls']}")
        print(f"  floor, full buckets:  {floor_full:9.1f} s + {window_floor:.0f} s feed-window")
        print(f"  floor, empty buckets: {floor_empty:9.1f} s (bottleneck {floor_op})")
        feed_calls = sum(by_op[op] for op in floor["calls"])
        floor_calls = sum(floor["calls"].values())
        print(
            f"  feed calls made / floor calls: {feed_calls} / {floor_calls} = "
            f"{feed_calls / floor_calls:.2f}"
        )
        if floor_empty:
            print(
                f"  ratio to floor (empty buckets): {made_empty / floor_empty:.2f}   (aim: <= 1.10)"
            )
        full_made = made_full + window_made
        full_floor = floor_full + window_floor
        if full_floor:
            print(f"  ratio to floor (full buckets): {full_made / full_floor:.2f}")
        else:
            print(
                f"  full buckets: floor 0 s, made {full_made:.1f} s "
                f"({'at the floor' if full_made == 0 else 'above the floor'})"
            )
        print(
            f"Item-by-item baseline: {listings:,} putListingsItem at {put_rate:g}/s burst "
            f"{put_burst}: {baseline:,.0f} s = {baseline / 3600:.2f} h"
        )
        worst = max(made_empty, full_made)
        print(
            f"  feeds need {full_made:,.1f} s from full buckets, {worst:,.0f} s at worst "
            f"(empty buckets): {worst / baseline:.3f} of the baseline"
        )
        print("This machine (2 cores, SQLite)")
        print(
            f"  run_publish wall time (mapping + validation + feed building + submission): "
            f"{publish_seconds:.1f} s = {publish_seconds / listings * 1000:.2f} ms per listing"
        )
        print(
            f"  start .. first feed document request: {to_first_feed:.1f} s (mapping and "
            f"validating all {listings:,} listings, recording and building the first feed)"
        )
        print(
            f"  first feed document .. last createFeed: {submit_span:.1f} s (the other "
            f"marketplaces' recording and feed building, {len(submissions)} uploads)"
        )
        print(
            f"  the emulator's own feed processing (Amazon's side, not Crossport): "
            f"{emulator_seconds:.1f} s"
        )
        print(
            f"  following the feeds to their reports ({args.workers} workers): {feed_seconds:.1f} s"
        )
        print(f"  summary: {json.dumps(summary)}")
    finally:
        world.stop()


if __name__ == "__main__":
    main()
