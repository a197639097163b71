"""One more look for orders Amazon announced before its getOrders lists them.

Amazon's getOrders can lag an ORDER_CHANGE notification by seconds to a minute, so the poll a
notification asks for may not find the order yet. The notified order is noted for its account
when the poll is requested; a poll that ends without finding a noted order schedules one
follow-up poll FOLLOW_UP_SECONDS later. An order the follow-up misses too is left to the
scheduled poll (every minute; its overlap re-reads the last minutes): more looks would spend the
getOrders budget (a burst of 20, one call a minute restored) that the scheduled polls live on.

The follow-up has one deterministic job id per account (an account is one seller in one region),
so a burst of notifications schedules at most one; when it fires it only requests the account's
ordinary poll, which coalesces with one already queued, so order import stays in one job.
"""

from __future__ import annotations

import logging

from flask import current_app

from core.db import db
from core.models import AmazonAccount
from core.redis import get_redis
from jobs.periodic import request_order_import
from jobs.queues import enqueue

log = logging.getLogger("crossport.jobs")

FOLLOW_UP_SECONDS = 20  # most of Amazon's lag, and well before the minute's scheduled poll
NOTED_TTL = 3600  # a note no poll settles (the account gone meanwhile) is forgotten after this

# KEYS[1]: the account's noted orders (order -> polls that missed it); ARGV: the noted orders a
# poll did not find. A first miss asks for the follow-up, a second one forgets the order. Atomic,
# so two polls missing the same order at once do not both count a first miss.
_MISSED = """
local due = 0
for _, order in ipairs(ARGV) do
  local misses = redis.call('HGET', KEYS[1], order)
  if misses == '0' then
    redis.call('HSET', KEYS[1], order, '1')
    due = due + 1
  elseif misses then
    redis.call('HDEL', KEYS[1], order)
  end
end
return due
"""


def order_key(marketplace_id: str, amazon_order_id: str) -> str:
    """How a noted order is named: Amazon order ids are unique only within a marketplace."""
    return f"{marketplace_id}:{amazon_order_id}"


def note_notified_order(account_id: int, marketplace_id: str, amazon_order_id: str) -> None:
    """Remember that a notification announced this order, before its poll is requested."""
    key = _noted_key(account_id)
    pipe = get_redis().pipeline()
    pipe.hsetnx(key, order_key(marketplace_id, amazon_order_id), 0)  # a repeat keeps its misses
    pipe.expire(key, NOTED_TTL)
    pipe.execute()


def noted_orders(account_id: int) -> set[str]:
    """The account's noted orders, read by a poll before its getOrders: one noted later may be
    missing from that answer through no lag of Amazon's, and is left for the next poll."""
    return {name.decode() for name in get_redis().hkeys(_noted_key(account_id))}


def settle_noted_orders(account_id: int, shop_id: int, noted: set[str], seen: set[str]) -> bool:
    """After a poll: forget the noted orders it found, and schedule the follow-up poll for those
    it missed for the first time. Returns whether the follow-up was requested."""
    if not noted:
        return False
    redis, key = get_redis(), _noted_key(account_id)
    found = noted & seen
    if found:
        redis.hdel(key, *found)
    missed = sorted(noted - seen)
    if not missed or not redis.register_script(_MISSED)(keys=[key], args=missed):
        return False
    enqueue(
        "jobs.order_followup.follow_up_poll",
        account_id,
        queue="orders",
        job_id=f"orders-follow-up:{account_id}",  # a waiting one is reused: one per account
        title="Look again for announced Amazon orders",
        shop_id=shop_id,
        delay_seconds=FOLLOW_UP_SECONDS,
    )
    log.info("%s notified orders not listed yet by getOrders: follow-up poll in %s s",
             len(missed), FOLLOW_UP_SECONDS, extra={"shop_id": shop_id})  # fmt: skip
    return True


def follow_up_poll(account_id: int) -> str:
    """The delayed follow-up: request the account's ordinary poll (it coalesces)."""
    account = db.session.get(AmazonAccount, account_id)
    if account is None or account.status != "connected":
        log.info("no connected Amazon account %s to look again for orders", account_id)
        return "no account"
    request_order_import(account.id, account.shop_id)
    return "poll requested"


def _noted_key(account_id: int) -> str:
    prefix = current_app.config["SETTINGS"].queue_prefix
    return f"{prefix}:amazon-notified-orders:{account_id}"
