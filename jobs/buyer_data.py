"""Erasing a buyer from every copy Crossport holds, for a redaction or the retention purge.

Where a buyer's data can sit, and how each copy goes:
- order_links.pii, encrypted: the address the store ships to, and while the order waits for
  its creation job, the order as getOrders gave it (buyer info included): cleared;
- the encrypted order stash in Redis, where an earlier version handed orders to their job (an
  hour at most): deleted, should a worker of that version have left one;
- text a platform or a job wrote about the order (an API log error, the order's error, an
  alert, a run's message, a webhook event's error): the buyer's values are replaced where they
  appear, since a store's refusal may quote the address it refused;
- webhook events keep no buyer data at all (core.webhook_records), and job arguments are ids.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable

from sqlalchemy import func, update

from core.db import db
from core.models import Alert, ApiCall, JobRun, OrderLink, WebhookEvent
from core.redis import get_redis
from jobs.orders import _stash_key as order_stash_key

log = logging.getLogger("crossport.jobs")

REDACTED = "[redacted]"
# Fields of an address or buyer info that name the buyer; the city, region and country alone
# do not (and are too short and common to replace in a message).
PERSONAL_FIELDS = ("Name", "AddressLine1", "AddressLine2", "AddressLine3", "Phone",
                   "BuyerEmail", "BuyerName", "name", "email", "phone",
                   "address1", "address2")  # fmt: skip
MIN_LENGTH = 4  # shorter values would mangle unrelated text
# (column, its shop column) of every free-text column a buyer's value might be written into
TEXT_COLUMNS = (
    (ApiCall.error_message, ApiCall.shop_id),
    (OrderLink.error, OrderLink.shop_id),
    (Alert.message, Alert.shop_id),
    (JobRun.message, JobRun.shop_id),
    (WebhookEvent.error, WebhookEvent.shop_id),
)


def forget_store_orders(shop_id: int, store_order_ids: Iterable, also: Iterable = ()) -> int:
    """customers/redact: erase the buyer of these store orders (Shopify names them by numeric
    id; links keep the GraphQL gid) and the given values (the customer's e-mail and phone)."""
    ids = [str(o) for o in store_order_ids]
    forms = ids + [f"gid://shopify/Order/{o}" for o in ids]
    links = (
        db.session.query(OrderLink)
        .filter(OrderLink.shop_id == shop_id, OrderLink.store_order_id.in_(forms))
        .all()
        if forms
        else []
    )
    return erase_buyers(links, also=also, shop_ids={shop_id})


def erase_buyers(links: list[OrderLink], also: Iterable = (), shop_ids: set[int] = frozenset()):
    """Erase every copy of these orders' buyers; commits. Returns how many orders held any."""
    values = _variants(also)
    for link in links:
        values |= _variants(_personal_values(link.pii))
    shops = set(shop_ids) | {link.shop_id for link in links}
    for value in sorted(values, key=len, reverse=True):  # the full name before a part of it
        for column, shop_column in TEXT_COLUMNS:
            db.session.execute(
                update(column.class_)
                .where(shop_column.in_(shops), column.contains(value, autoescape=True))
                .values({column.key: func.replace(column, value, REDACTED)})
                .execution_options(synchronize_session=False)
            )
    held = 0
    for link in links:
        held += link.pii is not None
        link.pii = None
    db.session.commit()
    if links:
        stashed = [order_stash_key(k.marketplace_id, k.amazon_order_id) for k in links]
        get_redis().delete(*stashed)
    return held


def _personal_values(pii: str | None) -> list[str]:
    if not pii:
        return []
    try:
        data = json.loads(pii)
    except ValueError:
        return []
    found = []
    for part in data.values() if isinstance(data, dict) else []:
        if isinstance(part, dict):
            found += [part.get(f) for f in PERSONAL_FIELDS]
    return [v for v in found if isinstance(v, str)]


def _variants(values: Iterable) -> set[str]:
    """Each value as given, and a phone number also as its digits (stores normalise them)."""
    out = set()
    for value in values:
        if not isinstance(value, str) or len(value.strip()) < MIN_LENGTH:
            continue
        out.add(value.strip())
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 7 and re.fullmatch(r"[\d\s()+.\-]+", value.strip()):
            out |= {digits, "+" + digits}
    return out
