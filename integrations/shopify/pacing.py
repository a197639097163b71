"""Cost-aware pacing: each shop's leaky bucket as Shopify last reported it, shared by every
worker through Redis, with reservations so parallel workers do not overdraw it together."""

from __future__ import annotations

import threading
import time

# Reserve `cost` points if the leaked-up bucket holds them, else say how long to wait.
_RESERVE = """
local k = KEYS[1]
local cost = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', k, 'available', 'maximum', 'restore', 'at')
local max = tonumber(h[2]) or tonumber(ARGV[2])
local rate = tonumber(h[3]) or tonumber(ARGV[3])
local avail = tonumber(h[1]) or max
local at = tonumber(h[4]) or now
avail = math.min(max, avail + (now - at) * rate)
local wait = 0
if avail >= cost then avail = avail - cost else wait = (cost - avail) / rate end
redis.call('HSET', k, 'available', tostring(avail), 'maximum', tostring(max),
           'restore', tostring(rate), 'at', tostring(now))
redis.call('EXPIRE', k, 3600)
return tostring(wait)
"""

_OBSERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('HSET', KEYS[1], 'available', ARGV[1], 'maximum', ARGV[2], 'restore', ARGV[3],
           'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return 1
"""

DEFAULT_MAXIMUM = 1000.0  # Shopify's smallest bucket, until a response tells the real one
DEFAULT_RESTORE = 50.0


class SharedBucket:
    """The view of one shop's bucket; Redis-backed when given a client, else per process."""

    def __init__(self, shop: str, redis=None, key_prefix: str = ""):
        # key_prefix: the environment's (core.redis.key), so two environments on one Redis
        # pace their own apps' buckets
        self.key = f"{key_prefix}:shopify:bucket:{shop}"
        self.redis = redis
        self._local = {
            "available": DEFAULT_MAXIMUM,
            "maximum": DEFAULT_MAXIMUM,
            "restore": DEFAULT_RESTORE,
            "at": time.monotonic(),
        }
        self._lock = threading.Lock()

    def reserve(self, cost: float) -> float:
        """Seconds to wait before a call of `cost` points (0: go now, points reserved)."""
        if self.redis is not None:
            wait = self.redis.eval(_RESERVE, 1, self.key, cost, DEFAULT_MAXIMUM, DEFAULT_RESTORE)
            return float(wait)
        with self._lock:
            b = self._local
            now = time.monotonic()
            b["available"] = min(b["maximum"], b["available"] + (now - b["at"]) * b["restore"])
            b["at"] = now
            if b["available"] >= cost:
                b["available"] -= cost
                return 0.0
            return (cost - b["available"]) / b["restore"]

    def observe(self, throttle_status: dict) -> None:
        """Take Shopify's word for the bucket after a response."""
        try:
            avail = float(throttle_status["currentlyAvailable"])
            maximum = float(throttle_status["maximumAvailable"])
            restore = float(throttle_status["restoreRate"]) or DEFAULT_RESTORE
        except (KeyError, TypeError, ValueError):
            return
        if self.redis is not None:
            self.redis.eval(_OBSERVE, 1, self.key, avail, maximum, restore)
            return
        with self._lock:
            self._local.update(
                available=avail, maximum=maximum, restore=restore, at=time.monotonic()
            )

    def wait_for(self, cost: float, sleep=time.sleep, max_wait: float = 60.0) -> None:
        """Block until `cost` points are reserved."""
        deadline = time.monotonic() + max_wait
        while True:
            wait = self.reserve(cost)
            if wait <= 0:
                return
            if time.monotonic() + wait > deadline:
                return  # let the server decide; a THROTTLED answer is handled by the caller
            sleep(min(wait, 5.0))
