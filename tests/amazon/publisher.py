"""A worker process for the rate-limit test: publishes listings through its own client.

python -m tests.amazon.publisher EMULATOR_URL REDIS_URL REFRESH_TOKEN SELLER_ID SPEEDUP N ID
"""

from __future__ import annotations

import sys
import time

import redis
from sp_api.api import ListingsItems

from integrations.amazon import listings
from integrations.amazon.client import AppConfig, SellerAccount, SpApiClient
from integrations.amazon.ratelimit import RateLimiter
from tests.amazon.listings_data import shirt

EU_DE = "A1PA6795UKMFR9"


def main(argv: list[str]) -> None:
    url, redis_url, refresh_token, seller_id, speedup, count, worker = argv[:7]
    app = AppConfig("rate-test-client", "rate-test-secret", f"{url}/auth/o2/token",
                    {"EU": f"{url}/eu"}, float(speedup))  # fmt: skip
    limiter = RateLimiter(redis.Redis.from_url(redis_url), speedup=float(speedup),
                          prefix="rate-test")  # fmt: skip
    client = SpApiClient(app, SellerAccount(None, seller_id, "EU", refresh_token), limiter)
    client.api(ListingsItems, EU_DE, version=listings.VERSION)  # built before the start line
    if len(argv) > 7:
        time.sleep(max(0.0, float(argv[7]) - time.time()))
    for n in range(int(count)):
        answer = listings.put_listing(client, EU_DE, f"W{worker}-{n}", "SHIRT",
                                      shirt(EU_DE, "de_DE", "EUR"))  # fmt: skip
        assert answer["status"] == "ACCEPTED", answer


if __name__ == "__main__":
    main(sys.argv[1:])
