"""Jobs used only by the foundation tests: they write a row so a test can see they ran."""

from __future__ import annotations

import time

from core.db import db
from core.models import Shop
from jobs.runs import finish_run, start_run


def rename_shop(shop_id: int, name: str) -> None:
    shop = db.session.get(Shop, shop_id)
    shop.name = name
    db.session.commit()


def slow_count(shop_id: int, marker_path: str) -> None:
    """Counts its attempts on the shop row, then works long enough to be killed mid-way."""
    run = start_run("test-slow", shop_id, "slow test job")
    shop = db.session.get(Shop, shop_id)
    shop.settings = {**shop.settings, "attempts": shop.settings.get("attempts", 0) + 1}
    db.session.commit()
    with open(marker_path, "a") as marker:
        marker.write("started\n")
    attempts = shop.settings["attempts"]
    if attempts == 1:
        time.sleep(60)  # the test kills the worker here
    finish_run(run, f"finished on attempt {attempts}")


def read_participations(account_id: int) -> None:
    """One SP-API call for a stored account through the production client (a job per call)."""
    from integrations.amazon import sellers
    from jobs.accounts import client_for_id

    sellers.marketplace_participations(client_for_id(account_id))


def fail_with(shop_id: int, kind: str) -> None:
    """Records an attempt on its run row, then fails as a platform would: `permanent` as Amazon's
    400 InvalidInput, `transient` as a 503 still there after the client's own retries."""
    from integrations.amazon.errors import AmazonApiError, AmazonTemporaryError
    from jobs.runs import record_failure

    run = start_run("test-fail", shop_id, "failing test job")
    if kind == "permanent":
        exc = AmazonApiError("createFeed: bad request", operation="createFeed", status=400,
                             codes=("InvalidInput",))  # fmt: skip
    else:
        exc = AmazonTemporaryError("createFeed: service unavailable", operation="createFeed",
                                   status=503, codes=("ServiceUnavailable",))  # fmt: skip
    record_failure(run.id, exc)
    raise exc
