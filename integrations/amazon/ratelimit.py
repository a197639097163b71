"""SP-API usage plans as token buckets in Redis, shared by every worker process.

Amazon limits each operation per selling partner and application with a token bucket
(rate per second, burst). Each bucket lives in one Redis hash and is updated by a Lua script, so
every process and machine takes from the same bucket. A caller *reserves* a slot: the script
answers how long to wait before sending, so concurrent workers line up instead of polling.
Redis's own clock is used, so processes with skewed clocks still agree.
"""

from __future__ import annotations

import time

import redis

from .errors import AmazonTemporaryError

# Rate (requests per second) and burst per operation, from the models' usage-plan tables
# (see ../shared/PLATFORMS.md); tests/amazon/test_ratelimit.py checks them against the models.
USAGE_PLANS: dict[str, tuple[float, int]] = {
    "getMarketplaceParticipations": (0.016, 15),
    "searchDefinitionsProductTypes": (5, 10),
    "getDefinitionsProductType": (5, 10),
    "getListingsItem": (5, 10),
    "putListingsItem": (5, 10),
    "patchListingsItem": (5, 5),
    "deleteListingsItem": (5, 5),
    "searchListingsItems": (5, 5),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2, 15),
    "getFeedDocument": (0.0222, 10),
    "searchCatalogItems": (2, 2),
    "getListingsRestrictions": (5, 10),
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "getOrderAddress": (0.5, 30),
    "getOrderBuyerInfo": (0.5, 30),
    "confirmShipment": (2, 10),
    "createRestrictedDataToken": (1, 10),
    "getInventorySummaries": (2, 2),
    "createDestination": (1, 5),
    "getDestinations": (1, 5),
    "createSubscription": (1, 5),
    "getSubscription": (1, 5),
    "deleteSubscriptionById": (1, 5),
    "createReport": (0.0167, 15),
    "getReport": (2, 15),
    "getReportDocument": (0.0167, 15),
}
DEFAULT_PLAN = (0.5, 5)  # an operation missing from the table is treated cautiously
# Two guards against network jitter, which can make two requests arrive closer together than
# they were sent: one token of the burst is never used (so a request arriving up to one interval
# early still finds a token at Amazon), and the rate is kept 2 % under the documented one (clock
# drift between Redis and Amazon). Together they cost about 2 % of the throughput; a flat 10 %
# margin, used before, cost 10 %.
SAFETY = 0.98
CUSHION_TOKENS = 1

# KEYS[1] bucket hash; ARGV: rate/s, burst, max wait ms. Answers the wait in ms before sending,
# or -wait when that exceeds the maximum (then nothing is reserved).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate) - 1
local wait = 0
if tokens < 0 then wait = math.ceil(-tokens / rate) end
if wait > tonumber(ARGV[3]) then return -wait end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000)
return wait
"""


# KEYS[1] bucket hash: no token left as of now (a booked future slot stays booked).
_DRAIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
if tokens == nil or tokens > 0 then
  redis.call('HSET', KEYS[1], 'tokens', 0, 'ts', now)
end
return 0
"""


class WaitTooLong(AmazonTemporaryError):
    """The bucket is booked further ahead than the caller may wait; retry the job later."""

    def __init__(self, operation: str, wait_seconds: float):
        super().__init__(f"{operation}: next slot in {wait_seconds:.1f} s", operation=operation)
        self.wait_seconds = wait_seconds


class RateLimiter:
    """Token buckets per (selling partner, operation) in Redis."""

    def __init__(self, client: redis.Redis, *, speedup: float = 1.0, prefix: str = "crossport",
                 max_wait: float = 120.0) -> None:  # fmt: skip
        self.redis = client
        self.speedup = speedup
        self.prefix = f"{prefix}:spapi"
        self.max_wait = max_wait
        self._script = client.register_script(_RESERVE)
        self._drain = client.register_script(_DRAIN)

    def plan(self, seller_id: str, operation: str) -> tuple[float, int]:
        """(rate, burst) in force: the rate Amazon last announced, else the documented one."""
        rate, burst = USAGE_PLANS.get(operation, DEFAULT_PLAN)
        learned = self.redis.get(f"{self.prefix}:announced:{seller_id}:{operation}")
        return (float(learned) if learned else rate * self.speedup), burst

    def acquire(self, seller_id: str, operation: str) -> float:
        """Block until a request may be sent; returns the seconds waited."""
        rate, burst = self.plan(seller_id, operation)
        key = f"{self.prefix}:bucket:{seller_id}:{operation}"
        usable_burst = max(1, burst - CUSHION_TOKENS)
        wait_ms = int(
            self._script(keys=[key], args=[rate * SAFETY, usable_burst, self.max_wait * 1000])
        )
        if wait_ms < 0:
            raise WaitTooLong(operation, -wait_ms / 1000)
        if wait_ms:
            time.sleep(wait_ms / 1000)
        return wait_ms / 1000

    def available(self, seller_id: str, operation: str) -> int:
        """Requests that may be sent right now without waiting (nothing is reserved)."""
        rate, burst = self.plan(seller_id, operation)
        key = f"{self.prefix}:bucket:{seller_id}:{operation}"
        tokens, ts = self.redis.hmget(key, "tokens", "ts")
        seconds, micros = self.redis.time()
        now_ms = seconds * 1000 + micros // 1000
        usable_burst = max(1, burst - CUSHION_TOKENS)
        if tokens is None:
            return usable_burst
        refilled = float(tokens) + max(0, now_ms - float(ts)) * rate * SAFETY / 1000
        return int(min(usable_burst, refilled))

    def penalize(self, seller_id: str, operation: str) -> None:
        """Amazon answered 429: its bucket is empty, so ours (shared by all workers) is too."""
        key = f"{self.prefix}:bucket:{seller_id}:{operation}"
        self._drain(keys=[key])

    def announce(self, seller_id: str, operation: str, header: str | None) -> None:
        """Remember the rate from x-amzn-RateLimit-Limit (Amazon may grant a seller more)."""
        try:
            rate = float(header) if header else 0.0
        except ValueError:
            return
        if rate > 0:
            self.redis.set(f"{self.prefix}:announced:{seller_id}:{operation}", rate, ex=3600)
