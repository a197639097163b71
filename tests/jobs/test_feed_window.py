"""Amazon's 5-feeds-per-5-minutes-per-region rule, kept in the real Redis of the tests."""

from __future__ import annotations

import time

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
    # the five old ones left the window and the slot it took is counted: four remain
    remaining = [reserve_feed_slot(seller.seller_id, "EU") for _ in range(FEEDS_PER_WINDOW)]
    assert remaining[:-1] == [0] * (FEEDS_PER_WINDOW - 1) and remaining[-1] > 0
