"""Benchmark stock-sync latency: from a WooCommerce webhook received by Crossport to the SP-API
call that carries the new quantity, under a burst of stock changes across many SKUs.

    .venv/bin/python bench/jobs_stock_latency_bench.py [--skus 500] [--changes 1000]
        [--workers 3] [--speedup 1] [--web-processes 2]

The store (emulator) changes stock through its per-product control endpoint, as wp-admin would;
each save fires a signed product.updated webhook to Crossport's web endpoint; real RQ workers
do the rest. Receipt times are WebhookEvent.received_at; call times are arrival times at the
SP-API emulator (a request log in front of it), matched by SKU, marketplace and value. Speed-up
1 (the default) means Amazon's documented rate limits as they are. Crossport's web app runs in
gunicorn processes of its own, as in production (0 serves it from a thread of this process).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path
from urllib.parse import parse_qs, unquote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.world import add_profiles, build_world, percentile, wait_for  # noqa: E402

POLL_BASELINES = (300, 3600)  # today's tools poll every 5 to 60 minutes


def create_products(world, count: int) -> dict[int, str]:
    """`count` simple Kitchen products in the store (its past: no webhooks); id -> SKU."""
    from sandbox.woocommerce import catalog

    state = world.store.state
    made = {}
    with state.lock:
        for n in range(count):
            sku = f"STK-{n + 1:05d}"
            product = catalog.create_product(
                state,
                {
                    "name": f"Enamel Mug {n + 1}",
                    "type": "simple",
                    "sku": sku,
                    "regular_price": "14.90",
                    "description": "<p>Enamel mug, made to last.</p>",
                    "short_description": "Enamel mug",
                    "manage_stock": True,
                    "stock_quantity": 50,
                    "weight": "0.35",
                    "dimensions": {"length": "20", "width": "15", "height": "9"},
                    "categories": [{"id": 17, "name": "Kitchen", "slug": "kitchen"}],
                    "images": [{"src": f"{state.base()}/wp-content/uploads/mug-{n}.jpg"}],
                    "attributes": [{"name": "Brand", "options": ["Fieldhouse"], "visible": True}],
                },
            )
            made[product["id"]] = sku
    return made


def publish_all(world, workers: int, timeout: float) -> int:
    """Import, map and publish every product through real workers; returns listings live."""
    from core.db import db
    from core.models import JobRun, Listing, ProductSnapshot, Submission
    from jobs.catalog import import_catalogue
    from jobs.queues import enqueue

    import_catalogue(world.shop_id)
    for snapshot in db.session.query(ProductSnapshot).filter_by(shop_id=world.shop_id):
        snapshot.product_type = "KITCHEN"
    db.session.commit()
    add_profiles(world.shop_id)
    world.start_workers(workers)
    run = JobRun(
        shop_id=world.shop_id,
        kind="publish",
        title="publish (bench)",
        status="queued",
        total=0,
        done=0,
        failed=0,
        attempts=0,
        details={"mode": "publish", "marketplace_ids": [], "product_ids": []},
    )
    db.session.add(run)
    db.session.commit()
    enqueue(
        "jobs.publish.run_publish", run.id, queue="listings", shop_id=world.shop_id, timeout=1800
    )
    wait_for(
        lambda: db.session.get(JobRun, run.id).status in ("done", "failed"),
        timeout,
        1,
        "the publish run",
    )
    # a small catalogue goes as single puts, a large one as feeds: wait for whichever it took
    wait_for(lambda: all(
        s.status == "done" for s in db.session.query(Submission).filter_by(kind="feed")),
        timeout, 1, "the feeds")  # fmt: skip
    live = db.session.query(Listing).filter(Listing.status.in_(("submitted", "active"))).count()
    try:  # let the status read-back settle, so it does not share the workers with the burst
        wait_for(
            lambda: db.session.query(Listing).filter_by(status="active").count() >= live,
            timeout,
            2,
            "listings active",
        )
    except TimeoutError:
        print("  (not every listing was active yet; going on)")
    return live


def burst(world, products: dict[int, str], changes: int) -> dict[str, list[int]]:
    """`changes` stock saves spread over the products; every value unique per SKU, in order."""
    ids = list(products)
    plan = [(ids[n % len(ids)], 1000 + n) for n in range(changes)]
    sequence: dict[str, list[int]] = {}
    for ident, quantity in plan:
        sequence.setdefault(products[ident], []).append(quantity)
    session = requests.Session()
    url = world.store.url + "/_sandbox/products/{}/stock"

    def save(item):
        ident, quantity = item
        session.post(url.format(ident), json={"stock_quantity": quantity}, timeout=30)

    # rounds in order (each SKU's later value is saved after its earlier one)
    per_round = len(ids)
    with ThreadPoolExecutor(8) as pool:
        for start in range(0, len(plan), per_round):
            list(pool.map(save, plan[start : start + per_round]))
    return sequence


def carrying_calls(world, since: float) -> list[tuple[float, str, str, int]]:
    """(arrival, sku, marketplace, quantity) of every call that sent a quantity after `since`."""
    found = []
    documents = world.emulator.state.documents
    for row in world.amazon_log.rows:
        if row["at"] < since or not row["body"]:
            continue
        path = row["path"]
        if row["method"] == "PATCH" and "/listings/" in path and "/items/" in path:
            sku = unquote(path.rsplit("/", 1)[-1])
            markets = parse_qs(row["query"]).get("marketplaceIds", [""])[0].split(",")
            for patch in json.loads(row["body"]).get("patches", []):
                if patch.get("path") == "/attributes/fulfillment_availability":
                    for market in markets:
                        found.append((row["at"], sku, market, patch["value"][0]["quantity"]))
        elif row["method"] == "POST" and path.endswith("/feeds/2021-06-30/feeds"):
            body = json.loads(row["body"])
            document = documents.get(body.get("inputFeedDocumentId"), {}).get("content")
            for message in json.loads(document or b"{}").get("messages", []):
                for patch in message.get("patches", []):
                    if patch.get("path") == "/attributes/fulfillment_availability":
                        for market in body.get("marketplaceIds", []):
                            found.append(
                                (row["at"], message["sku"], market, patch["value"][0]["quantity"])
                            )
    return found


def latencies(events, calls, sequence, markets_of) -> tuple[list[float], list[float], int]:
    """Per received event: seconds until every marketplace got a call carrying its value or a
    later one; also per (event, marketplace). Returns (per event, per pair, events unmatched)."""
    by_key: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for at, sku, market, quantity in calls:
        by_key.setdefault((sku, market), []).append((at, quantity))
    for rows in by_key.values():
        rows.sort()
    per_event, per_pair, unmatched = [], [], 0
    for received, sku, quantity in events:
        order = sequence.get(sku, [])
        if quantity not in order:
            continue  # a state from before the burst
        rank = order.index(quantity)
        newer = set(order[rank:])
        worst = 0.0
        for market in markets_of.get(sku, []):
            hit = next(
                (at for at, q in by_key.get((sku, market), []) if at >= received and q in newer),
                None,
            )
            if hit is None:
                worst = None
                break
            per_pair.append(hit - received)
            worst = max(worst, hit - received)
        if worst is None:
            unmatched += 1
        else:
            per_event.append(worst)
    return per_event, per_pair, unmatched


def patch_floor(events, sequence, markets_of) -> list[float]:
    """Per event, the best latency by single patches alone: each event's marketplaces patched in
    receipt order at the earliest token of Amazon's patchListingsItem bucket (full at the start)
    at or after its receipt, no time spent anywhere else. A reference for small changes, which
    go by patches (a feed reaches buyers only when Amazon has processed it, minutes later)."""
    from integrations.amazon.ratelimit import USAGE_PLANS

    rate, burst = USAGE_PLANS["patchListingsItem"]
    tokens, clock, floor = float(burst), None, []
    for received, sku, quantity in sorted(events):
        if quantity not in sequence.get(sku, []):
            continue
        start = received if clock is None else max(clock, received)
        if clock is not None:  # tokens came back while nothing was sent
            tokens = min(float(burst), tokens + (start - clock) * rate)
        clock = start
        for _ in markets_of.get(sku, []):
            if tokens < 1:
                clock += (1 - tokens) / rate
                tokens = 1.0
            tokens -= 1
        floor.append(clock - received)
    return floor


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--speedup", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=420.0)
    parser.add_argument("--web-processes", type=int, default=2)
    args = parser.parse_args()

    world = build_world(speedup=args.speedup, seed_store=False, web_processes=args.web_processes)
    try:
        from core.db import db
        from core.models import Listing, WebhookEvent
        from jobs.stock import latency_key

        products = create_products(world, args.skus)
        started = time.monotonic()
        live = publish_all(world, args.workers, args.timeout)
        setup = time.monotonic() - started
        markets_of: dict[str, list[str]] = {}
        for sku, market in db.session.query(Listing.sku, Listing.marketplace_id).filter(
            Listing.status.in_(("submitted", "active"))
        ):
            markets_of.setdefault(sku, []).append(market)
        world.refill_rate_limits()
        redis = world.redis()
        redis.delete(latency_key(world.shop_id))
        since = time.time()
        sent_started = time.monotonic()
        sequence = burst(world, products, args.changes)
        burst_seconds = time.monotonic() - sent_started
        final = {sku: values[-1] for sku, values in sequence.items()}

        def behind() -> list[tuple[str, str, object, int]]:
            """(sku, marketplace, Amazon's quantity, the store's last) where they differ."""
            listings = world.emulator.state.listings
            found = []
            with world.emulator.state.lock:
                for (_, sku, market), item in listings.items():
                    if sku in final and market in markets_of.get(sku, []):
                        got = item["attributes"].get("fulfillment_availability", [{}])[0]
                        if got.get("quantity") != final[sku]:
                            found.append((sku, market, got.get("quantity"), final[sku]))
            return found

        def settled():
            return not behind()

        try:
            wait_for(settled, args.timeout, 1.0, "every marketplace to hold the last values")
            outcome = "every marketplace holds every SKU's last value"
        except TimeoutError:
            late = behind()
            outcome = (
                f"NOT settled within {args.timeout:.0f} s: {len(late)} SKU x marketplace "
                f"behind, e.g. {late[:3]}"
            )
        settle_seconds = time.time() - since
        time.sleep(2)
        events = [
            (
                e.received_at.replace(tzinfo=UTC).timestamp(),
                world.store.state.products.get(int(e.resource_id), {}).get("sku", ""),
                (e.payload or {}).get("stock_quantity"),
            )
            for e in db.session.query(WebhookEvent).filter(WebhookEvent.topic == "product.updated")
        ]
        calls = carrying_calls(world, since)
        per_event, per_pair, unmatched = latencies(events, calls, sequence, markets_of)
        api = world.amazon.calls()
        ops = {}
        for c in api:
            if c["at"] >= since:
                ops[c["operation"]] = ops.get(c["operation"], 0) + 1
        throttled = sum(1 for c in api if c["at"] >= since and c["status"] == 429)
        jobs_view = [int(v) / 1000 for v in redis.lrange(latency_key(world.shop_id), 0, -1)]

        print(
            f"Stock burst: {args.changes} changes across {args.skus} SKUs, {live} live "
            f"listings in {len(set(m for v in markets_of.values() for m in v))} marketplaces; "
            f"{args.workers} workers; emulator and client at speed-up x{args.speedup:g}; "
            f"web: {args.web_processes or 'a thread'} gunicorn processes"
        )
        print(f"  setup (import, map, publish, listings active): {setup:.0f} s")
        statuses: dict[str, int] = {}
        for delivery in world.store.state.deliveries:
            if delivery["topic"] == "product.updated":
                statuses[str(delivery["status"])] = statuses.get(str(delivery["status"]), 0) + 1
        print(
            f"  store saves sent in {burst_seconds:.1f} s; deliveries by answer {statuses}; "
            f"{len(events)} distinct events recorded (a delivery carries the product as it is "
            f"when sent, so two saves delivered late carry one state); outcome after "
            f"{settle_seconds:.1f} s: {outcome}"
        )
        print(f"  SP-API calls during the burst: {ops}; 429 answers: {throttled}")
        if events:
            start = min(e[0] for e in events)
            print(
                f"  receipts spread over {max(e[0] for e in events) - start:.1f} s; createFeed "
                f"calls at "
                + ", ".join(
                    f"+{c['at'] - start:.1f} s"
                    for c in api
                    if c["at"] >= since and c["operation"] == "createFeed"
                )
            )
        print(f"  calls carrying a quantity: {len(calls)} (SKU x marketplace values)")
        if per_event:
            median, p99 = statistics.median(per_event), percentile(per_event, 0.99)
            print(
                "Latency, webhook received -> SP-API call carrying the value (or a newer one), "
                "on every marketplace of the SKU"
            )
            print(f"  events matched {len(per_event)}, unmatched {unmatched}")
            print(
                f"  median {median:.2f} s, p99 {p99:.2f} s, max {max(per_event):.2f} s "
                f"(aim: median < 2 s)"
            )
            print(
                f"  per SKU x marketplace: median {statistics.median(per_pair):.2f} s, "
                f"p99 {percentile(per_pair, 0.99):.2f} s"
            )
            # A reference floor: Amazon's createFeed burst (15) holds one drain of a feed per
            # marketplace, not two, so a burst this size is best carried by one drain the moment
            # it ends (a few SKUs could go earlier by patches: this is a reference, not a proof).
            last = max(e[0] for e in events)
            floor = [last - e[0] for e in events if e[2] in sequence.get(e[1], [])]
            print(
                f"  floor under the feed limits (every value sent the instant the last webhook "
                f"arrives): median {statistics.median(floor):.2f} s, p99 "
                f"{percentile(floor, 0.99):.2f} s; measured / floor: median "
                f"{median / max(statistics.median(floor), 1e-9):.2f}x, p99 "
                f"{p99 / max(percentile(floor, 0.99), 1e-9):.2f}x"
            )
            by_patches = patch_floor(events, sequence, markets_of)
            print(
                f"  floor by single patches alone ({len(by_patches)} events, in receipt order "
                f"at Amazon's patch rate): median {statistics.median(by_patches):.2f} s, p99 "
                f"{percentile(by_patches, 0.99):.2f} s; measured / that floor: median "
                f"{median / max(statistics.median(by_patches), 1e-9):.2f}x"
            )
            for poll in POLL_BASELINES:
                print(
                    f"  vs polling every {poll // 60} min (mean wait {poll / 2:.0f} s, worst "
                    f"{poll} s): median {median / (poll / 2):.4f} of the mean, p99 "
                    f"{p99 / poll:.4f} of the worst"
                )
        else:
            print(f"  no latency matched ({unmatched} unmatched events)")
        if jobs_view:
            print(
                f"  jobs.stock's own view (first request -> call done, Redis "
                f"{latency_key(world.shop_id)}): {len(jobs_view)} values, "
                f"median {statistics.median(jobs_view):.2f} s, p99 "
                f"{percentile(jobs_view, 0.99):.2f} s"
            )
    finally:
        world.stop()


if __name__ == "__main__":
    main()
