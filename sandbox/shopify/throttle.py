"""Shopify's cost-based rate limit: a leaky bucket of query-cost points per shop."""

from __future__ import annotations

import threading
import time


class LeakyBucket:
    """Points restored at `restore_rate` per second up to `maximum`; a query takes its cost."""

    def __init__(self, maximum: float, restore_rate: float):
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self._available = float(maximum)
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def _leak(self) -> None:
        now = time.monotonic()
        self._available = min(self.maximum, self._available + (now - self._at) * self.restore_rate)
        self._at = now

    def try_take(self, cost: float) -> bool:
        """Take `cost` points if that many are available (Shopify refuses, never goes negative)."""
        with self._lock:
            self._leak()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._leak()
            self._available = min(self.maximum, self._available + points)

    def drain(self, to: float = 0.0) -> None:
        """Empty the bucket (a throttle storm for the tests)."""
        with self._lock:
            self._leak()
            self._available = max(0.0, min(self.maximum, to))

    def status(self) -> dict:
        with self._lock:
            self._leak()
            return {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": int(self._available),
                "restoreRate": self.restore_rate,
            }
