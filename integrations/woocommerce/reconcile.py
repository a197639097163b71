"""The store side of the periodic sweep: what changed since a checkpoint, and webhook healing.

WooCommerce never retries a delivery and disables a webhook at the 7th consecutive failure,
so a lost change is only found by asking. `sweep` lists products and orders with
`modified_after` (minus an overlap, because WooCommerce compares to the second and strictly
after) and makes sure Crossport's webhooks exist and are active. The job that calls it (and
stores the returned checkpoint) belongs to jobs/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from integrations.woocommerce.client import WooClient

TOPICS = ("product.created", "product.updated", "product.deleted", "order.updated")
OVERLAP = timedelta(minutes=5)


def delivery_url(public_url: str) -> str:
    """Where the store delivers Crossport's webhooks."""
    return public_url.rstrip("/") + "/webhooks/woocommerce"


@dataclass
class WebhookRepair:
    """What ensure_webhooks found and did."""

    created: list[str] = field(default_factory=list)  # topics
    reactivated: list[str] = field(default_factory=list)  # topics that were disabled
    removed: list[int] = field(default_factory=list)  # duplicate webhook ids
    paused: list[str] = field(default_factory=list)  # paused by the shop manager: left alone


@dataclass
class SweepResult:
    """Ids changed since the checkpoint, webhook repairs, and the next checkpoint (ISO, UTC)."""

    product_ids: list[str]
    order_ids: list[str]
    webhooks: WebhookRepair
    checkpoint: str


def ensure_webhooks(
    client: WooClient, url: str, secret: str, rotate_secret: bool = False
) -> WebhookRepair:
    """Create missing webhooks and re-activate disabled ones (with the connection's secret)."""
    repair = WebhookRepair()
    ours = [w for w in client.paginate("webhooks") if w.get("delivery_url") == url]
    for topic in TOPICS:
        matching = sorted((w for w in ours if w.get("topic") == topic), key=lambda w: w["id"])
        if not matching:
            client.post(
                "webhooks",
                {
                    "name": f"Crossport {topic}",
                    "topic": topic,
                    "delivery_url": url,
                    "secret": secret,
                    "status": "active",
                },
            )
            repair.created.append(topic)
            continue
        keep, extra = matching[0], matching[1:]
        for duplicate in extra:
            client.delete(f"webhooks/{duplicate['id']}", force=True)
            repair.removed.append(int(duplicate["id"]))
        if keep.get("status") == "paused" and not rotate_secret:
            repair.paused.append(topic)
        elif keep.get("status") != "active" or rotate_secret:
            # Re-enabling through the API also resets WooCommerce's failure counter.
            client.put(f"webhooks/{keep['id']}", {"status": "active", "secret": secret})
            if keep.get("status") != "active":
                repair.reactivated.append(topic)
    return repair


def _changed(client: WooClient, endpoint: str, since: str, **extra) -> tuple[list[str], str]:
    ids, latest = [], since
    for item in client.paginate(
        endpoint,
        modified_after=since,
        dates_are_gmt=True,
        orderby="id",
        order="asc",
        _fields="id,date_modified_gmt",
        **extra,
    ):
        ids.append(str(item["id"]))
        latest = max(latest, str(item.get("date_modified_gmt") or ""))
    return ids, latest


def sweep(client: WooClient, *, since: str | None, public_url: str, secret: str) -> SweepResult:
    """One reconciliation pass; `since` is the previous checkpoint (None: start from now)."""
    repair = ensure_webhooks(client, delivery_url(public_url), secret)
    if since is None:
        now = datetime.now(UTC) - OVERLAP
        return SweepResult([], [], repair, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    start = datetime.fromisoformat(since.replace("Z", "+00:00"))
    start = start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC)
    bound = (start - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S")
    products, latest_p = _changed(client, "products", bound)
    # `status=any` leaves out trashed products: ask for them too (deleted -> archived).
    trashed, latest_t = _changed(client, "products", bound, status="trash")
    products += [i for i in trashed if i not in products]
    latest_p = max(latest_p, latest_t)
    orders, latest_o = _changed(client, "orders", bound)
    latest = max(latest_p, latest_o, start.strftime("%Y-%m-%dT%H:%M:%S"))
    return SweepResult(products, orders, repair, latest.rstrip("Z") + "Z")
