"""Amazon's usage plans: token buckets per (seller, operation), documented rate and burst."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

# Rate (requests per second) and burst, as documented in each operation's description in the
# models (../shared/specs/sp-api/models); tests/amazon/test_emulator_contracts.py checks them.
USAGE_PLANS: dict[str, tuple[float, int]] = {
    "getMarketplaceParticipations": (0.016, 15),
    "getAccount": (0.016, 15),
    "searchDefinitionsProductTypes": (5, 10),
    "getDefinitionsProductType": (5, 10),
    "getListingsItem": (5, 10),
    "putListingsItem": (5, 10),
    "patchListingsItem": (5, 5),
    "deleteListingsItem": (5, 5),
    "searchListingsItems": (5, 5),
    "getFeeds": (0.0222, 10),
    "createFeed": (0.0083, 15),
    "cancelFeed": (2, 15),
    "getFeed": (2, 15),
    "createFeedDocument": (0.5, 15),
    "getFeedDocument": (0.0222, 10),
    "searchCatalogItems": (2, 2),
    "getCatalogItem": (2, 2),
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
    "getReports": (0.0222, 10),
    "getReport": (2, 15),
    "getReportDocument": (0.0167, 15),
}


@dataclass
class Bucket:
    """One token bucket: `tokens` refill at `rate` per second up to `burst`."""

    rate: float
    burst: int
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        # requests may be handled slightly out of their arrival order: time never runs back
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = max(self.updated, now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Throttle:
    """All buckets of one emulator; `speedup` multiplies every rate (bursts stay as documented)."""

    def __init__(self, speedup: float = 1.0, enabled: bool = True) -> None:
        self.speedup = speedup
        self.enabled = enabled
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()

    def plan(self, operation: str) -> tuple[float, int]:
        """The effective (rate, burst) for an operation, after the speed-up."""
        rate, burst = USAGE_PLANS.get(operation, (10, 20))
        return rate * self.speedup, burst

    def allow(self, caller: str, operation: str, now: float | None = None) -> bool:
        """Take one token for (caller, operation) at arrival time `now` (time.time());
        False means answer 429."""
        if not self.enabled:
            return True
        rate, burst = self.plan(operation)
        now = time.time() if now is None else now
        with self._lock:
            bucket = self._buckets.get((caller, operation))
            if bucket is None:
                bucket = self._buckets[(caller, operation)] = Bucket(rate, burst, burst, now)
            return bucket.take(now)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
