"""Benchmark re-pricing a published catalogue after an exchange-rate move (issue #7) with
jobs.listing_sync.reprice_shop: N SKUs live in 8 marketplaces, a no-op sweep first (nothing may be
sent; its time is the mapping + diff cost, the ratio baseline), then the EUR rate moves and the
sweep must patch the 4 euro marketplaces only (DE, FR, IT, ES), as feeds of PATCH messages.

    .venv/bin/python bench/jobs_reprice_bench.py [--skus 2000] [--speedup 50] [--workers 2]
                                                 [--move 3] [--profile]

Prints SP-API calls by operation and by marketplace, checks on the emulator that every euro
listing holds the price Crossport computed (and every other listing its old price), and beside
the time those calls need under Amazon's documented limits puts the floor the limits allow and
the item-by-item baseline (one patchListingsItem per changed listing). reprice_shop runs in this
process (the sweeps are timed); real workers follow the publish feeds, then the patch feeds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import statistics
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.jobs_publish_bench import (  # noqa: E402
    FEEDS_PER_REGION_WINDOW,
    _busiest_window,
    _floor,
    _follow_feeds,
    _limit_time,
    _process_feeds,
    _run_publish,
    _window_seconds,
    insert_products,
)
from bench.world import add_profiles, bucket_seconds, build_world, wait_for  # noqa: E402

EURO_COUNTRIES = ("DE", "FR", "IT", "ES")
FEED_OPS = ("createFeedDocument", "createFeed", "getFeed", "getFeedDocument")


def _publish_live(world, skus: int, workers: int, timeout: float) -> dict[str, float]:
    """Publish `skus` products to every marketplace and wait until the listings are active."""
    from core.db import db
    from core.models import Listing

    timings = {}
    add_profiles(world.shop_id)
    ids = insert_products(world.shop_id, skus)
    run, timings["publish"] = _run_publish(world, ids)
    if run.status != "done":
        raise RuntimeError(f"publish run {run.status}: {run.message}")
    _process_feeds(world, timeout)
    timings["feeds"] = _follow_feeds(world, workers, timeout)
    started = time.monotonic()
    live = db.session.query(Listing).filter(Listing.status.in_(("submitted", "active"))).count()
    # the status read-back after each report makes them active; let it finish before timing
    wait_for(lambda: db.session.query(Listing).filter_by(status="active").count() >= live,
             timeout, 1.0, "listings active")  # fmt: skip
    timings["active"] = time.monotonic() - started
    world.stop_workers()  # the sweeps run alone: no job of a worker shares the call log
    return timings


@contextmanager
def _counting_sql():
    """Counts the SQL statements sent while inside, by their first word (SELECT, UPDATE ...)."""
    from sqlalchemy import event

    from core.db import db

    counts: Counter = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        counts[statement.lstrip().split(" ", 1)[0].upper()] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _timed_reprice(world, profile: bool) -> tuple[int, float, Counter, str]:
    """reprice_shop in this process: listings sent, wall seconds, SQL statements, profile."""
    from core.db import db
    from jobs.listing_sync import reprice_shop

    db.session.expire_all()
    profiler = cProfile.Profile() if profile else None
    with _counting_sql() as sql:
        started = time.monotonic()
        if profiler:
            profiler.enable()
        sent = reprice_shop(world.shop_id)
        if profiler:
            profiler.disable()
        seconds = time.monotonic() - started
    report = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        report = out.getvalue()
    return sent, seconds, sql, report


def _offer_price(attributes: dict) -> float | None:
    """The audience-ALL price of a listing's purchasable_offer (None without one)."""
    for offer in attributes.get("purchasable_offer") or []:
        if offer.get("audience", "ALL") == "ALL":
            return offer["our_price"][0]["schedule"][0]["value_with_tax"]
    return None


def _amazon_prices(world) -> dict[tuple[str, str], float | None]:
    """(sku, marketplace) -> the price each listing holds on the emulator."""
    emulator = world.emulator
    with emulator.state.lock:
        return {(sku, market): _offer_price(listing["attributes"])
                for (seller, sku, market), listing in emulator.state.listings.items()
                if seller == world.seller_id}  # fmt: skip


def _sent_prices() -> dict[tuple[str, str], float | None]:
    """(sku, marketplace) -> the price Crossport last sent (the Listing row's payload)."""
    from core.db import db
    from core.models import Listing

    db.session.expire_all()
    return {(row.sku, row.marketplace_id): _offer_price((row.payload or {}).get("attributes", {}))
            for row in db.session.query(Listing)}  # fmt: skip


def _move_rate(currency: str, percent: float) -> tuple[Decimal, Decimal]:
    """A newer ECB rate for `currency`, `percent` above the one in use; returns (old, new)."""
    from core.db import db, utcnow
    from core.models import FxRate
    from jobs.fx_rates import rates_table

    old = rates_table().rates[currency]
    new = (old * (1 + Decimal(str(percent)) / 100)).quantize(Decimal("0.00000001"))
    latest = db.session.query(db.func.max(FxRate.as_of)).scalar()
    as_of = max(utcnow().replace(tzinfo=None), (latest or utcnow()).replace(tzinfo=None))
    db.session.add(FxRate(base="USD", quote=currency, rate=new, source="ecb",
                          as_of=as_of + timedelta(seconds=1)))  # fmt: skip
    db.session.commit()
    return old, new


def _sql_line(sql: Counter) -> str:
    return ", ".join(f"{word} {n}" for word, n in sql.most_common()) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--speedup", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--move", type=float, default=3.0, help="EUR rate move in percent")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--profile", action="store_true", help="cProfile both sweeps")
    args = parser.parse_args()

    world = build_world(speedup=args.speedup)
    try:
        from core.db import db
        from core.models import Submission, TargetMarketplace
        from integrations.amazon.ratelimit import USAGE_PLANS

        targets = db.session.query(TargetMarketplace).filter_by(shop_id=world.shop_id).all()
        country_of = {t.marketplace_id: t.country_code for t in targets}
        region_of = {t.marketplace_id: t.account.region for t in targets}
        euro = {m for m, c in country_of.items() if c in EURO_COUNTRIES}
        setup = _publish_live(world, args.skus, args.workers, args.timeout)
        N, markets = args.skus, len(targets)
        listings = N * markets
        amazon_before, sent_before = _amazon_prices(world), _sent_prices()

        # 1. the baseline: a sweep with nothing changed must send nothing
        mark = len(world.amazon.calls())
        noop_sent, noop_seconds, noop_sql, noop_profile = _timed_reprice(world, args.profile)
        noop_calls = Counter(c["operation"] for c in world.amazon.calls()[mark:])

        # 2. the EUR rate moves: the euro marketplaces (only) are re-priced
        old_rate, new_rate = _move_rate("EUR", args.move)
        mark = len(world.amazon.calls())
        feeds_before = set(world.emulator.state.feeds)
        sent, move_seconds, move_sql, move_profile = _timed_reprice(world, args.profile)
        emulator_seconds = _process_feeds(world, args.timeout)
        follow_seconds = _follow_feeds(world, args.workers, args.timeout, kind="patchfeed")
        world.stop_workers()
        all_calls = world.amazon.calls()
        calls = all_calls[mark:]
        amazon_after, sent_after = _amazon_prices(world), _sent_prices()

        by_op = Counter(c["operation"] for c in calls)
        throttled = Counter(c["operation"] for c in calls if c["status"] == 429)
        new_feeds = [f for i, f in world.emulator.state.feeds.items() if i not in feeds_before]
        feeds_by_market = Counter(m for f in new_feeds for m in f["marketplaceIds"])
        feeds_by_region = Counter(region_of[m] for m in feeds_by_market.elements())
        patches_by_market = Counter(c["marketplace_ids"] for c in calls
                                    if c["operation"] == "patchListingsItem")  # fmt: skip
        submissions = db.session.query(Submission).filter_by(kind="patchfeed").all()
        messages_by_market = Counter()
        for s in submissions:
            messages_by_market[s.marketplace_id] += s.message_count or 0
        accepted = sum(s.accepted or 0 for s in submissions)
        docs = [len(d.get("content") or b"") for i, d in world.emulator.state.documents.items()
                if any(f["inputFeedDocumentId"] == i for f in new_feeds)]  # fmt: skip

        print(
            f"Re-pricing {N:,} SKUs live in {markets} marketplaces = {listings:,} listings "
            f"after EUR moves {args.move:+g} % ({old_rate} -> {new_rate} per USD; emulator and "
            f"client at speed-up x{args.speedup:g})"
        )
        print(
            f"  setup: publish {setup['publish']:.1f} s in-process, feed reports "
            f"{setup['feeds']:.1f} s, all active {setup['active']:.1f} s later"
        )
        print("No-op sweep (rates unchanged), the baseline")
        verdict = "OK" if not noop_calls and not noop_sent else "WRONG: a no-op sweep sent"
        print(
            f"  reprice_shop sent {noop_sent} listings; SP-API calls during it: "
            f"{dict(noop_calls) or 'none'} -> {verdict}"
        )
        print(
            f"  wall time {noop_seconds:.2f} s = {noop_seconds / listings * 1000:.3f} ms per "
            f"listing planned; SQL: {_sql_line(noop_sql)}"
        )

        print("Sweep after the EUR move")
        print(
            f"  reprice_shop sent {sent:,} listings; wall time {move_seconds:.2f} s = "
            f"{move_seconds / listings * 1000:.3f} ms per listing planned = "
            f"{move_seconds / noop_seconds:.2f} x the no-op sweep; SQL: {_sql_line(move_sql)}"
        )
        print(
            f"  the emulator's own feed processing (Amazon's side): {emulator_seconds:.1f} s; "
            f"workers following the patch feeds to their reports ({args.workers} workers): "
            f"{follow_seconds:.1f} s; feed messages accepted {accepted:,}"
        )
        print("SP-API calls by operation (from the sweep until every patch-feed report was read)")
        for op, n in sorted(by_op.items()):
            rate, burst = USAGE_PLANS.get(op, (0, 0))
            need = bucket_seconds(n, rate, burst) if rate else 0
            print(
                f"  {op:22s} {n:6d}  429s {throttled[op]:3d}   {rate:g}/s burst {burst:<3d}"
                f"  needs {need:7.1f} s from a full bucket"
            )
        print(
            f"  total {sum(by_op.values())} calls; {len(new_feeds)} feeds, "
            f"{sum(docs) / 1e6:.2f} MB uploaded; calls outside the EU region: "
            f"{sum(1 for c in calls if c['region'] != 'EU')}"
        )

        print(
            "Per marketplace: feeds | messages | patches | prices changed in Crossport | "
            "on Amazon: new price held / unchanged"
        )
        wrong = []
        changed_by_market: Counter = Counter()
        ratios = []
        for target in targets:
            m = target.marketplace_id
            keys = [k for k in sent_after if k[1] == m]
            changed = [k for k in keys if sent_after[k] != sent_before.get(k)]
            changed_by_market[m] = len(changed)
            held = sum(1 for k in keys if amazon_after.get(k) == sent_after[k])
            unchanged = sum(1 for k in keys if amazon_after.get(k) == amazon_before.get(k))
            ratios += [sent_after[k] / sent_before[k] for k in changed if sent_before.get(k)]
            touched = feeds_by_market[m] + patches_by_market[m] + len(changed)
            if (m in euro) != bool(touched) or held != len(keys):
                wrong.append(country_of[m])
            print(
                f"  {country_of[m]} {m:15s} {feeds_by_market[m]:3d} | "
                f"{messages_by_market[m]:6,} | {patches_by_market[m]:5d} | {len(changed):6,} | "
                f"{held:6,} / {unchanged:6,} of {len(keys):,}"
            )
        only_euro = not wrong and all(changed_by_market[m] == N for m in euro)
        print(
            f"  only DE, FR, IT, ES re-priced, every listing of theirs, and Amazon holds every "
            f"price Crossport sent: {'YES' if only_euro else 'NO (' + ', '.join(wrong) + ')'}"
        )
        if ratios:
            print(
                f"  new / old euro price: min {min(ratios):.4f}, median "
                f"{statistics.median(ratios):.4f}, max {max(ratios):.4f} "
                f"(rate moved x{float(new_rate / old_rate):.4f}; prices round to the cent)"
            )

        # limits: what was made, the floor, and the item-by-item baseline
        changes = sum(changed_by_market.values())
        regions = Counter(region_of[m] for m, n in changed_by_market.items() if n)
        per_market = max(changed_by_market.values()) if changes else 0
        repriced = [m for m, n in changed_by_market.items() if n]
        floor = _floor(per_market, len(repriced), docs, regions)
        plans = {op: USAGE_PLANS[op] for op in set(by_op) | set(floor["calls"])
                 if op in USAGE_PLANS}  # fmt: skip
        made_full, made_op = _limit_time(dict(by_op), plans, full=True)
        made_empty, made_empty_op = _limit_time(dict(by_op), plans, full=False)
        floor_full, _ = _limit_time(floor["calls"], plans, full=True)
        floor_empty, floor_op = _limit_time(floor["calls"], plans, full=False)
        window_made, window_floor = (
            _window_seconds(feeds_by_region),
            _window_seconds(floor["regions"]),
        )
        patch_rate, patch_burst = USAGE_PLANS["patchListingsItem"]
        baseline = bucket_seconds(changes, patch_rate, patch_burst)
        blind = bucket_seconds(listings, patch_rate, patch_burst)
        busiest = _busiest_window(all_calls, args.speedup)
        print("Time the calls need under Amazon's limits (computed from the counts)")
        print(
            f"  made, full buckets:  {made_full:8.1f} s (bottleneck {made_op}) + "
            f"{window_made:.0f} s for the {FEEDS_PER_REGION_WINDOW[0]}-feeds-per-5-min rule"
        )
        print(f"  made, empty buckets: {made_empty:8.1f} s (bottleneck {made_empty_op})")
        print(
            f"  floor ({floor['feeds']} feeds, one per re-priced marketplace per 25,000 "
            f"messages / 10 MiB): {floor['calls']}"
        )
        print(
            f"  floor, full buckets:  {floor_full:8.1f} s + {window_floor:.0f} s feed-window; "
            f"empty buckets: {floor_empty:.1f} s (bottleneck {floor_op})"
        )
        made_feed_calls = sum(by_op[op] for op in FEED_OPS)
        floor_calls = sum(floor["calls"].values())
        print(
            f"  feed calls made / floor: {made_feed_calls} / {floor_calls} = "
            f"{made_feed_calls / max(1, floor_calls):.2f}; empty buckets made / floor: "
            f"{made_empty / floor_empty if floor_empty else float('nan'):.2f}"
        )
        print(
            f"  measured: most createFeed in any 5 minutes (Amazon's clock), publish and "
            f"re-price together, by region: {dict(sorted(busiest.items()))} "
            f"(limit {FEEDS_PER_REGION_WINDOW[0]})"
        )
        print(
            f"Item-by-item baseline: {changes:,} patchListingsItem (the changed listings) at "
            f"{patch_rate:g}/s burst {patch_burst}: {baseline:,.0f} s = {baseline / 60:.1f} min"
        )
        worst = max(made_empty, made_full + window_made)
        print(
            f"  feeds need {made_full + window_made:.1f} s from full buckets, {worst:.0f} s at "
            f"worst (empty buckets): {worst / baseline if baseline else math.nan:.3f} of the "
            f"baseline"
        )
        print(
            f"  (without the diff, patching all {listings:,} listings: {blind:,.0f} s = "
            f"{blind / 60:.1f} min)"
        )
        print("  Amazon's own feed processing (minutes to hours) is in none of these figures.")
        if args.profile:
            print("cProfile, no-op sweep (cumulative)\n" + noop_profile)
            print("cProfile, sweep after the move (cumulative)\n" + move_profile)
    finally:
        world.stop()


if __name__ == "__main__":
    main()
