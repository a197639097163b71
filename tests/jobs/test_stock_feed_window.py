"""A stock burst when Amazon's feed window and Crossport's view of it disagree (issue 21, 1).

Amazon allows 5 JSON_LISTINGS_FEED submissions per 5 minutes per seller and region (PLATFORMS.md;
the emulator answers 429 QuotaExceeded past it, sandbox/amazon/api_feeds.py). Crossport counts
its own feeds in Redis, which a Redis restart or another tool sending feeds for the seller puts
out of step: here Crossport's count is wiped (a restart) and EU's window is filled on Amazon's
side (another tool), so Crossport believes EU is free and Amazon refuses its feed.
"""

from __future__ import annotations

import time

import requests
from sp_api.api import Feeds
from sp_api.base.exceptions import SellingApiRequestThrottledException

from core.db import db
from core.models import JobRun, Listing, Submission
from core.redis import get_redis
from integrations.amazon import feeds
from jobs.amazon import seller_for
from jobs.stock import FEED_BACKLOG
from tests.amazon.conftest import DEFAULT_OPTIONS
from tests.jobs.conftest import MARKETS, wait_for
from tests.jobs.helpers import amazon_quantity, import_and_map, publish, wait_until_active

# Amazon's clock for the burst, 5 times faster than real (the other jobs tests run it 50 times
# faster): a 60 s feed window, longer than the burst takes to arrive on a loaded machine.
BURST_SPEEDUP = 5.0
REGION_OF = {marketplace_id: region for region, marketplace_id in MARKETS.values()}


def _published(world) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The whole catalogue live: the store's item id of each sellable SKU, and the live FBM
    (SKU, marketplace) pairs."""
    world.start_workers(2)
    snapshots = import_and_map(world)
    done = publish(world)
    wait_until_active(world, done.details["summary"]["sent"])
    items = {v["sku"]: str(v["id"]) for s in snapshots for v in s.data["variants"]}
    live = {
        (r.sku, r.marketplace_id)
        for r in db.session.query(Listing).filter_by(status="active", fulfillment_channel="FBM")
        if r.sku in items
    }
    assert len({sku for sku, _ in live}) > FEED_BACKLOG  # a burst that goes by feed
    return items, live


def _slower_amazon_and_redis_restarted(world) -> None:
    """Amazon's clock at BURST_SPEEDUP for the emulator and fresh workers; Crossport's limiter
    state (buckets, learned rates, feed windows) lost, as in a Redis restart."""
    world.stop_workers()
    world.amazon.control("POST", "options", json={**DEFAULT_OPTIONS, "speedup": BURST_SPEEDUP})
    redis = get_redis()
    for kind in ("announced", "bucket", "feed-window"):
        for key in redis.scan_iter(f"{world.settings.queue_prefix}:spapi:{kind}:*"):
            redis.delete(key)
    world.start_workers(2, CROSSPORT_SPAPI_RATE_SPEEDUP=str(BURST_SPEEDUP))


def _another_tool_spends_the_eu_window(world) -> None:
    """Feeds for the seller's EU account straight through the library, past Crossport, until
    Amazon refuses one: EU's window is spent on Amazon's side and Crossport's Redis has none."""
    de = MARKETS["DE"][1]
    api = seller_for(world.shop_id, de).client.api(Feeds, de, version=feeds.VERSION)
    for _ in range(6):
        created = api.create_feed_document(None, feeds.JSON_CONTENT_TYPE).payload
        requests.put(created["url"], data=b'{"header": {}, "messages": []}', timeout=10)
        try:
            api.create_feed("JSON_LISTINGS_FEED", created["feedDocumentId"], marketplaceIds=[de])
        except SellingApiRequestThrottledException:
            return
    raise AssertionError("Amazon never refused a sixth EU feed")


def _burst(world, items: dict[str, str], quantities: dict[str, int]) -> float:
    """The store changes each SKU's stock (the last one last); returns when the burst ended."""
    for sku, quantity in quantities.items():
        world.store.control(f"products/{items[sku]}/stock", {"stock_quantity": quantity})
    world.store.wait()
    failed = [d for d in world.store.state.deliveries if not str(d["status"]).startswith("2")]
    assert failed == [], "the store could not deliver every webhook"
    return time.monotonic()


def _behind(world, live: set[tuple[str, str]], want: dict[str, int]) -> list[tuple[str, str]]:
    held = {}
    for sku in {sku for sku, _ in live}:
        held.update({(sku, m): q for m, q in amazon_quantity(world, sku).items()})
    return sorted(key for key in live if held.get(key) != want[key[0]])


def _stock_log(world) -> str:
    """The drains' run rows and the stock lines of the workers' logs, for a failure message."""
    runs = [(r.status, r.message) for r in db.session.query(JobRun).filter_by(kind="stock_feed")]
    lines = [line for line in world.worker_logs().splitlines() if "stock" in line or "Feed" in line]
    return f"{runs}\n" + "\n".join(lines)[-6000:]


def _createfeed_since(world, since: float) -> list[dict]:
    return [c for c in world.amazon.calls("createFeed") if c["at"] >= since]


def test_one_region_refused_by_amazon_waits_alone_and_the_others_go_by_feed(world):
    items, live = _published(world)
    _slower_amazon_and_redis_restarted(world)
    _another_tool_spends_the_eu_window(world)
    since = time.time()
    skus = sorted({sku for sku, _ in live})
    na = {key for key in live if REGION_OF[key[1]] == "NA"}
    eu = {key for key in live if REGION_OF[key[1]] == "EU"}
    assert na and eu

    # when the store changes the stock of every SKU at once
    _burst(world, items, dict.fromkeys(skus, 2))

    # then NA's values go by feed, EU's Amazon refuses once, and EU's values follow
    want = dict.fromkeys(skus, 2)
    wait_for(lambda: not _behind(world, na, want), 120,
             message=lambda: f"NA behind: {_behind(world, na, want)[:5]}\n"
             + _stock_log(world))  # fmt: skip
    wait_for(lambda: not _behind(world, eu, want), 150,
             message=lambda: f"EU behind: {_behind(world, eu, want)[:5]}\n"
             + _stock_log(world))  # fmt: skip
    calls = _createfeed_since(world, since)
    assert any(c["region"] == "NA" and c["status"] == 202 for c in calls), calls
    # one refusal costs EU a wait: no retries of it within seconds (a later drain may find NA's
    # window spent too: Amazon still counts the publish's NA feeds that Crossport's Redis lost)
    refused = [c["region"] for c in calls if c["status"] == 429]
    assert refused[0] == "EU" and refused.count("EU") == 1, calls
    drains = db.session.query(JobRun).filter_by(kind="stock_feed").all()
    said = " | ".join(r.message for r in drains)
    assert "EU waits" in said and "429" in said, said
    assert all(r.status == "done" for r in drains), [(r.status, r.message) for r in drains]
    # Crossport's view of EU's window agreed with Amazon's from the refusal on: no EU feed was
    # tried again before the window could have freed (5 minutes on Amazon's clock)
    refused_at = next(c["at"] for c in calls if c["status"] == 429 and c["region"] == "EU")
    window = 300 / BURST_SPEEDUP
    retried = [c["at"] - refused_at for c in calls if c["region"] == "EU" and c["at"] > refused_at]
    assert all(gap > window - 1 for gap in retried), (retried, window)


def test_a_sell_out_goes_by_single_patch_before_the_feeds(world):
    items, live = _published(world)
    _slower_amazon_and_redis_restarted(world)
    _another_tool_spends_the_eu_window(world)
    skus = sorted({sku for sku, _ in live})
    # a SKU sold out in the store, listed in NA and in EU, changed last in the burst
    sold_out = next(
        sku for sku in reversed(skus)
        if {REGION_OF[m] for s, m in live if s == sku} >= {"NA", "EU"}
    )  # fmt: skip
    quantities = {**dict.fromkeys(skus, 2), sold_out: 0}
    quantities[sold_out] = quantities.pop(sold_out)  # last
    markets = {m for s, m in live if s == sold_out}

    # when
    ended = _burst(world, items, quantities)

    # then it is 0 on every marketplace within seconds of the burst, feed window or not
    wait_for(
        lambda: all(amazon_quantity(world, sold_out).get(m) == 0 for m in markets),
        30,
        interval=0.1,
        message=lambda: f"{amazon_quantity(world, sold_out)}\n{world.worker_logs()[-4000:]}",
    )
    seconds = time.monotonic() - ended
    assert seconds < 25, seconds  # the drain's debounce, a store read, patches at 25/s
    # by single patch: no stock feed carries it (the others' values do)
    want = {**dict.fromkeys(skus, 2), sold_out: 0}
    wait_for(lambda: not _behind(world, live, want), 90,
             message=lambda: f"behind: {_behind(world, live, want)[:5]}")  # fmt: skip
    stock_feeds = db.session.query(Submission).filter_by(kind="stockfeed").all()
    assert stock_feeds
    carried = {sku for s in stock_feeds for sku in (s.report or {})["message_skus"].values()}
    assert sold_out not in carried
    said = " | ".join(r.message for r in db.session.query(JobRun).filter_by(kind="stock_feed"))
    assert "sell-outs sent first by single patch" in said, said
