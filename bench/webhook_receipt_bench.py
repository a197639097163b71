"""Benchmark the webhook receipt path alone: how fast Crossport's web process answers a signed
WooCommerce product.updated delivery (verify, record, request the stock sync, enqueue), beside a
GET /health through the same server (a database and Redis round trip) measured in the same run.

    .venv/bin/python bench/webhook_receipt_bench.py [--deliveries 1000] [--skus 500]
        [--concurrency 1,8,32] [--web-processes 2]

Crossport's web app runs as production runs it (gunicorn, see the Procfile) on a SQLite file;
no worker runs, so what is measured is the receipt only. WooCommerce waits 5 s for an answer
and disables a webhook at the 7th failure in a row (a real WooCommerce 11 store, captures in
../shared/specs/woocommerce/captures): receipts must stay far below that under a burst, which
is what the concurrent rows show.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.jobs_stock_latency_bench import create_products  # noqa: E402
from bench.world import build_world, percentile  # noqa: E402


def signed_deliveries(world, products: dict[int, str], count: int) -> list[tuple[bytes, dict]]:
    """`count` distinct product.updated bodies (a new stock value each), signed as the store
    signs them."""
    from core.db import db
    from core.models import StoreConnection

    connection = db.session.scalars(db.select(StoreConnection)).one()
    secret = connection.webhook_secret.encode()
    ids = list(products)
    out = []
    for n in range(count):
        ident = ids[n % len(ids)]
        body = json.dumps(
            {
                "id": ident,
                "sku": products[ident],
                "stock_quantity": 2000 + n,
                "date_modified_gmt": f"2026-11-27T00:{n // 60 % 60:02d}:{n % 60:02d}",
            },
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": world.store.url + "/",
            "X-WC-Webhook-Topic": "product.updated",
            "X-WC-Webhook-Resource": "product",
            "X-WC-Webhook-Event": "updated",
            "X-WC-Webhook-ID": "1",
            "X-WC-Webhook-Delivery-ID": hashlib.md5(str(n).encode()).hexdigest(),
            "X-WC-Webhook-Signature": base64.b64encode(
                hmac.new(secret, body, hashlib.sha256).digest()
            ).decode(),
        }
        out.append((body, headers))
    return out


def timed(requests_to_send, concurrency: int, send) -> tuple[list[float], float, list[int]]:
    """Per-request seconds, wall seconds, and statuses, with `concurrency` senders."""
    seconds, statuses = [], []

    def one(item):
        started = time.perf_counter()
        status = send(item)
        return time.perf_counter() - started, status

    wall = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for spent, status in pool.map(one, requests_to_send):
            seconds.append(spent)
            statuses.append(status)
    return seconds, time.perf_counter() - wall, statuses


def report(label: str, seconds: list[float], wall: float, statuses: list[int]) -> float:
    bad = sum(1 for s in statuses if s != 200)
    median = statistics.median(seconds)
    print(
        f"  {label:<34} median {median * 1000:7.1f} ms  p99 "
        f"{percentile(seconds, 0.99) * 1000:7.1f} ms  max {max(seconds) * 1000:7.1f} ms  "
        f"{len(seconds) / wall:6.0f}/s  non-200: {bad}"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--skus", type=int, default=500)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--web-processes", type=int, default=2)
    args = parser.parse_args()

    world = build_world(speedup=1.0, seed_store=False, web_processes=args.web_processes)
    try:
        from core.db import db
        from core.models import WebhookEvent
        from jobs.catalog import import_catalogue

        products = create_products(world, args.skus)
        import_catalogue(world.shop_id)
        session = requests.Session()
        url = world.crossport_server.url

        def health(_):
            return session.get(url + "/health", timeout=30).status_code

        def deliver(item):
            body, headers = item
            return session.post(
                url + "/webhooks/woocommerce", data=body, headers=headers, timeout=30
            ).status_code

        print(
            f"Webhook receipt: {args.deliveries} signed product.updated deliveries over "
            f"{args.skus} SKUs per row; Crossport on gunicorn, {args.web_processes} processes "
            f"x 4 threads, SQLite; no worker running"
        )
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            db.session.query(WebhookEvent).delete()
            db.session.commit()
            world.redis().flushdb()
            baseline = report(
                f"GET /health, {concurrency} at a time",
                *timed(range(args.deliveries), concurrency, health),
            )
            deliveries = signed_deliveries(world, products, args.deliveries)
            median = report(
                f"webhook receipt, {concurrency} at a time",
                *timed(deliveries, concurrency, deliver),
            )
            recorded = db.session.query(WebhookEvent).count()
            print(
                f"  {'':<34} receipt / health: {median / baseline:.2f}x; events recorded "
                f"{recorded} of {args.deliveries}"
            )
    finally:
        world.stop()


if __name__ == "__main__":
    main()
