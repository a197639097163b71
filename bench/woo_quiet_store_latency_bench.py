"""Stock latency on a quiet WooCommerce store, with and without the Crossport plugin's
synchronous delivery (issue 15, WooCommerce item 2): from the shop manager's stock save to the
moment the SP-API emulator holds the new quantity in every marketplace the SKU is listed in.

    .venv/bin/python bench/woo_quiet_store_latency_bench.py [--changes 3] [--visit-every 60]

The emulated store holds its deliveries as a real WooCommerce 11 store does (Action Scheduler on
WP-Cron, which runs only when a request reaches the site once the once-a-minute runner is due:
../shared/specs/woocommerce/captures/README.md). "Quiet" means one storefront page view every
--visit-every seconds and nothing else. Without the plugin a change waits for the first such
view after the runner is due; with it (plugin_sync_delivery, the filter in
wordpress-plugin/crossport/includes/webhook-delivery.php) it is delivered inside the save. Each
change starts at a random moment of the visit cycle (seeded), so the figures are averages over
where in the cycle a change falls. Measured once, a few changes: a figure, not a distribution.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.jobs_stock_latency_bench import create_products, publish_all  # noqa: E402
from bench.world import build_world  # noqa: E402
from tests.jobs.conftest import MARKETS  # noqa: E402


class Visitors:
    """One storefront page view every `every` seconds, in a thread (a quiet store's traffic)."""

    def __init__(self, url: str, every: float) -> None:
        self.url, self.every = url, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                requests.get(self.url + "/", timeout=30)
            except requests.RequestException:
                pass

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()


def amazon_holds(world, sku: str, markets: list[str], quantity: int) -> bool:
    state = world.emulator.state
    with state.lock:
        for market in markets:
            item = next(
                (v for (_, s, m), v in state.listings.items() if s == sku and m == market), None
            )
            got = (item or {}).get("attributes", {}).get("fulfillment_availability", [{}])
            if got[0].get("quantity") != quantity:
                return False
    return True


def measure(world, products, markets_of, changes, rng, cycle, timeout, start_value) -> list[float]:
    """Seconds from each stock save to Amazon holding it, one change at a time."""
    figures = []
    ids = list(products)
    for n in range(changes):
        time.sleep(rng.uniform(0, cycle))  # a random moment of the visit cycle
        ident = ids[n % len(ids)]
        sku, quantity = products[ident], start_value + n
        started = time.monotonic()
        world.store.control(f"products/{ident}/stock", {"stock_quantity": quantity})
        deadline = started + timeout
        while not amazon_holds(world, sku, markets_of[sku], quantity):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sku} did not reach {quantity} within {timeout:.0f} s")
            time.sleep(0.1)
        figures.append(time.monotonic() - started)
        print(f"    change {n + 1}: {sku} -> {quantity}: {figures[-1]:.1f} s", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--visit-every", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    world = build_world(speedup=1.0, seed_store=False, markets={"US": MARKETS["US"]})
    visitors = Visitors(world.store.url, args.visit_every)
    try:
        from core.db import db
        from core.models import Listing

        products = create_products(world, 3)
        live = publish_all(world, args.workers, args.timeout)
        markets_of: dict[str, list[str]] = {}
        for sku, market in db.session.query(Listing.sku, Listing.marketplace_id).filter(
            Listing.status.in_(("submitted", "active"))
        ):
            markets_of.setdefault(sku, []).append(market)
        products = {i: s for i, s in products.items() if s in markets_of}
        print(
            f"Quiet WooCommerce store: {len(products)} SKUs, {live} live listings, a storefront "
            f"page view every {args.visit_every:g} s, deliveries held until WP-Cron runs"
        )
        world.store.control("config", {"webhook_delivery": "on_traffic"})
        visitors.start()
        rng = random.Random(args.seed)
        print("  without the plugin (WooCommerce's Action Scheduler on WP-Cron):")
        without = measure(
            world, products, markets_of, args.changes, rng, args.visit_every, args.timeout, 200
        )
        world.store.control("config", {"plugin_sync_delivery": True})
        print("  with the plugin (Crossport's webhooks delivered synchronously):")
        with_plugin = measure(
            world, products, markets_of, args.changes, rng, args.visit_every, args.timeout, 300
        )
        mean_without, mean_with = statistics.mean(without), statistics.mean(with_plugin)
        print(
            f"  store save -> Amazon holds the quantity, mean of {args.changes} changes: "
            f"without the plugin {mean_without:.1f} s (max {max(without):.1f} s), "
            f"with it {mean_with:.1f} s (max {max(with_plugin):.1f} s); "
            f"ratio {mean_without / mean_with:.1f}x"
        )
    finally:
        visitors.stop()
        world.stop()


if __name__ == "__main__":
    main()
