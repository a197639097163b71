"""Amazon's 5-feeds-per-5-minutes-per-region rule, kept in the real Redis of the tests."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from jobs.feed_window import FEEDS_PER_WINDOW, WINDOW_SECONDS, reserve_feed_slot


def test_five_feeds_of_a_region_go_at_once_and_the_sixth_waits_out_the_window(app):
    # given: the tests run Amazon's clock 50 times faster, so the window is 6 s
    window = WINDOW_SECONDS / app.config["SETTINGS"].spapi_rate_speedup

    # when
    first = [reserve_feed_slot("SELLER1", "EU") for _ in range(FEEDS_PER_WINDOW)]
    sixth = reserve_feed_slot("SELLER1", "EU")

    # then
    assert first == [0] * FEEDS_PER_WINDOW
    assert window - 1.0 < sixth <= window
    assert reserve_feed_slot("SELLER1", "NA") == 0  # another region has its own window
    assert reserve_feed_slot("SELLER2", "EU") == 0  # and so has another seller


def test_a_refused_reservation_takes_no_slot_and_one_frees_when_the_oldest_leaves(app_factory):
    app = app_factory(spapi_rate_speedup=300.0)  # a window of 1 s
    with app.app_context():
        for _ in range(FEEDS_PER_WINDOW):
            assert reserve_feed_slot("SELLER1", "EU") == 0
        waits = [reserve_feed_slot("SELLER1", "EU") for _ in range(3)]
        assert all(0 < w <= 1.0 for w in waits)

        time.sleep(max(waits) + 0.05)

        # the refused attempts did not count: the whole window is free again
        assert [reserve_feed_slot("SELLER1", "EU") for _ in range(FEEDS_PER_WINDOW)] == [0] * 5
        assert reserve_feed_slot("SELLER1", "EU") > 0


def test_a_sixth_feed_in_a_region_waits_for_the_window_and_the_createfeed_bucket(world):
    from integrations.amazon.ratelimit import CUSHION_TOKENS, USAGE_PLANS
    from jobs.amazon import seller_for
    from jobs.feed_window import wait_for_feed_slot
    from tests.jobs.conftest import MARKETS

    # given: five EU feeds just went out, and the seller's createFeed bucket is empty
    seller = seller_for(world.shop_id, MARKETS["DE"][1])
    for _ in range(FEEDS_PER_WINDOW):
        assert reserve_feed_slot(seller.seller_id, "EU") == 0
    for _ in range(USAGE_PLANS["createFeed"][1] - CUSHION_TOKENS):
        seller.client.limiter.acquire(seller.seller_id, "createFeed")
    assert seller.feeds_available() == 0
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    # when
    started = time.monotonic()
    wait_for_feed_slot(seller, sleep=sleep)

    # then: it waited out the window (6 s at the tests' speed-up), and a token came meanwhile
    window = WINDOW_SECONDS / world.settings.spapi_rate_speedup
    assert window - 1.0 < time.monotonic() - started < window + 6.0
    assert seller.feeds_available() >= 1
    # it waited until all but the slots kept for stock were free: the rest of the five old
    # ones, taken within milliseconds of the others, leave the window a moment later
    time.sleep(0.1)
    # the five old ones left the window and the slot it took is counted: four remain
    remaining = [reserve_feed_slot(seller.seller_id, "EU") for _ in range(FEEDS_PER_WINDOW)]
    assert remaining[:-1] == [0] * (FEEDS_PER_WINDOW - 1) and remaining[-1] > 0


class _Stop(Exception):
    pass


def test_publish_and_reprice_feeds_leave_the_last_slot_of_a_window_to_stock(app):
    from jobs.feed_window import KEPT_FOR_STOCK, wait_for_feed_slot

    # given: content feeds used all of EU's window but the slots kept for stock; a seller whose
    # createFeed budget is free (a stand-in: only its window and budget are read)
    limiter = SimpleNamespace(plan=lambda seller, operation: (1.0, 15))
    seller = SimpleNamespace(seller_id="SELLER1", account=SimpleNamespace(region="EU"),
                             client=SimpleNamespace(limiter=limiter),
                             feeds_available=lambda: 14)  # fmt: skip
    for _ in range(FEEDS_PER_WINDOW - KEPT_FOR_STOCK):
        assert reserve_feed_slot("SELLER1", "EU") == 0
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        raise _Stop

    # when a publish or re-price asks for a slot, it waits for the window
    with pytest.raises(_Stop):
        wait_for_feed_slot(seller, sleep=sleep)

    # then it waited, and the stock drain still finds its slot at once
    assert slept and slept[0] > 0
    assert reserve_feed_slot("SELLER1", "EU") == 0


def test_amazons_refusal_counts_the_regions_window_as_spent(app):
    from jobs.feed_window import free_feed_slots, note_window_spent

    # given: Crossport's Redis knows of one EU feed (another tool sent the others)
    window = WINDOW_SECONDS / app.config["SETTINGS"].spapi_rate_speedup
    assert reserve_feed_slot("SELLER1", "EU") == 0

    # when Amazon answers a feed with 429
    wait = note_window_spent("SELLER1", "EU")

    # then no worker sends another EU feed before a slot can have freed; NA is untouched
    assert 0 < wait <= window
    assert free_feed_slots("SELLER1", "EU") == 0
    assert reserve_feed_slot("SELLER1", "EU") > 0
    assert free_feed_slots("SELLER1", "NA") == FEEDS_PER_WINDOW
