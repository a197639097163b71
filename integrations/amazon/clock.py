"""Waits for Amazon's own processing (a feed, a report, a listing turning buyable), on the clock
Amazon's side runs at.

In production that is Amazon's real clock: spapi_rate_speedup is 1 (the default; production
settings must not change it). The sandbox's SP-API emulator runs Amazon's side faster by that
factor: feeds, reports and listings are ready in 1/speedup of the time (sandbox/amazon/state.py,
`scaled`) and its rate limits allow speedup times the calls (integrations/amazon/ratelimit.py
follows). A poll waiting for that processing is scaled the same way, so the same number of polls
meets the same progress and spends the same share of the (equally scaled) quota: nothing a test
checks changes but the wall-clock wait. RQ's scheduler still rounds a delay up to its next
one-second tick.

Used for the first look at a submitted feed or listing and the feed and report polls; the
listing-status re-checks are not scaled: they stop after a count of looks (jobs/listing_status.py)
meant to span a long publish, whose own pace (the feed window, our workers) is not sped up, so a
scaled count ran out before the Shopify journey's listings were read.

Waits on anything else stay on the wall clock: the stock debounce (store webhooks arrive in real
time), Amazon's getOrders lag behind ORDER_CHANGE (the emulator does not scale it either:
sandbox/amazon/orders_world.py) and the SQS visibility timeout (not Amazon's SP-API).
"""

from __future__ import annotations

from flask import current_app


def amazon_wait(seconds: float) -> float:
    """`seconds` of Amazon's processing time, in seconds of our clock."""
    speedup = current_app.config["SETTINGS"].spapi_rate_speedup or 1.0
    return seconds / max(speedup, 1.0)
