"""The Redis token bucket itself: burst, pace, waiting too long, draining after a 429."""

from __future__ import annotations

import time

import pytest
import redis

from integrations.amazon.ratelimit import CUSHION_TOKENS, SAFETY, RateLimiter, WaitTooLong


@pytest.fixture
def limiter(redis_url):
    return RateLimiter(redis.Redis.from_url(redis_url), speedup=50.0, prefix="t")


def test_burst_then_documented_pace(limiter):
    # confirmShipment: 2/s, burst 10 (one token kept as a cushion); x50 = 100/s (x0.98 safety)
    started = time.monotonic()
    waits = [limiter.acquire("S1", "confirmShipment") for _ in range(30)]
    assert waits[0] == 0.0 and max(waits) > 0
    assert waits[10 - CUSHION_TOKENS - 1] == 0.0 and waits[10 - CUSHION_TOKENS] > 0
    assert time.monotonic() - started >= (30 - 10 + CUSHION_TOKENS) / (2 * 50 * SAFETY) * 0.95


def test_sellers_and_operations_have_their_own_buckets(limiter):
    for _ in range(10):
        limiter.acquire("S1", "confirmShipment")
    assert limiter.acquire("S2", "confirmShipment") == 0.0
    assert limiter.acquire("S1", "getOrder") == 0.0


def test_a_slot_too_far_ahead_is_not_booked(redis_url):
    slow = RateLimiter(redis.Redis.from_url(redis_url), prefix="t", max_wait=1.0)
    for _ in range(20 - CUSHION_TOKENS):  # getOrders: burst 20 less the cushion, then 1/min
        slow.acquire("S1", "getOrders")
    with pytest.raises(WaitTooLong) as waiting:
        slow.acquire("S1", "getOrders")
    assert waiting.value.retryable and waiting.value.wait_seconds > 50


def test_a_429_drains_the_shared_bucket(limiter):
    limiter.acquire("S1", "confirmShipment")
    limiter.penalize("S1", "confirmShipment")
    started = time.monotonic()
    assert limiter.acquire("S1", "confirmShipment") > 0
    assert time.monotonic() - started > 0.005
