"""Amazon's rule for listings feeds: at most 5 submissions per 5 minutes per seller and region.

The createFeed token bucket (0.0083/s, burst 15) alone would let 15 feeds go at once; since May
2025 JSON_LISTINGS_FEED also allows only 5 in any 5 minutes per region (PLATFORMS.md), and Amazon
answers 429 past that. The window is kept in Redis (a sorted set of submission times per seller
and region), so every worker that submits feeds sees the same count.
"""

from __future__ import annotations

import time
import uuid

from flask import current_app

from core.redis import get_redis

FEEDS_PER_WINDOW = 5
WINDOW_SECONDS = 300.0
# Slots of each region's window that publish and re-price feeds leave to stock: stock outranks
# content, and a window spent by a catalogue publish would leave a flash sale to single patches
# (5 a second for the seller) for up to 5 minutes.
KEPT_FOR_STOCK = 1

# KEYS[1] sorted set of submission times (ms); ARGV: window ms, limit, member. Takes a slot and
# answers 0, or answers the ms until the oldest submission leaves the window (nothing taken).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(window) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""


# KEYS[1] as above; ARGV: window ms, limit, member. Amazon refused a feed with 429: its window for
# the region is full now whatever Crossport counted (a Redis restart, another tool's feeds for
# the seller). Our own recent submissions stay (Amazon counts them too), the rest of the window
# is filled as of now; answers the ms until the oldest leaves, the earliest a slot can free.
_SPENT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
for i = redis.call('ZCARD', KEYS[1]) + 1, tonumber(ARGV[2]) do
  redis.call('ZADD', KEYS[1], now, ARGV[3] .. ':' .. now .. ':' .. i)
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window) + 1000)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""


def _window_key(seller_id: str, region: str) -> str:
    settings = current_app.config["SETTINGS"]
    return f"{settings.queue_prefix}:spapi:feed-window:{seller_id}:{region}"


def _window_ms() -> float:
    # the emulator runs Amazon's clock faster by the same factor as the rate limits
    speedup = current_app.config["SETTINGS"].spapi_rate_speedup or 1.0
    return WINDOW_SECONDS * 1000 / speedup


def reserve_feed_slot(seller_id: str, region: str, limit: int = FEEDS_PER_WINDOW) -> float:
    """Take a submission slot in the region's window: 0 when taken, else the seconds to wait.
    With a `limit` under FEEDS_PER_WINDOW, a slot is taken only while fewer than it are used."""
    key = _window_key(seller_id, region)
    script = get_redis().register_script(_RESERVE)
    wait_ms = int(script(keys=[key], args=[_window_ms(), limit, uuid.uuid4().hex]))
    return wait_ms / 1000


def note_window_spent(seller_id: str, region: str) -> float:
    """Amazon refused the region's feed (429): count its window as full from now on, so no worker
    sends another before a slot can have freed. Returns the seconds until then."""
    script = get_redis().register_script(_SPENT)
    wait_ms = int(script(keys=[_window_key(seller_id, region)],
                         args=[_window_ms(), FEEDS_PER_WINDOW, uuid.uuid4().hex]))  # fmt: skip
    return wait_ms / 1000


def free_feed_slots(seller_id: str, region: str) -> int:
    """Submissions the region's window still allows now (nothing is taken)."""
    key = _window_key(seller_id, region)
    redis = get_redis()
    seconds, micros = redis.time()
    now_ms = seconds * 1000 + micros // 1000
    used = redis.zcount(key, now_ms - _window_ms() + 1, "+inf")
    return max(0, FEEDS_PER_WINDOW - used)


def wait_for_feed_slot(seller, *, sleep=time.sleep) -> float:
    """Block until `seller` (a jobs.amazon.AmazonSeller) may create a feed now: a slot taken in
    its region's window and a createFeed token free in the shared bucket. Returns the seconds
    waited. For bulk jobs (publish, re-price), which may wait minutes; never waits past what
    Amazon's rules need, and never takes the window's last KEPT_FOR_STOCK slots."""
    waited = 0.0
    limit = FEEDS_PER_WINDOW - KEPT_FOR_STOCK
    while (wait := reserve_feed_slot(seller.seller_id, seller.account.region, limit)) > 0:
        sleep(wait)
        waited += wait
    rate, _ = seller.client.limiter.plan(seller.seller_id, "createFeed")
    while seller.feeds_available() < 1:  # the next token comes at the bucket's rate
        pause = min(5.0, 1 / rate)
        sleep(pause)
        waited += pause
    return waited
