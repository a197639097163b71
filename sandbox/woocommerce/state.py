"""In-memory state of one emulated WooCommerce store: catalogue, orders, keys, webhooks, faults."""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sandbox.woocommerce.taxes import TaxSettings


def wc_time(moment: datetime) -> str:
    """WooCommerce's date format: ISO 8601 to the second, no zone suffix."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class ApiKey:
    """A REST API key as WooCommerce stores it (the secret kept in clear, as WooCommerce does)."""

    key_id: int
    consumer_key: str
    consumer_secret: str
    permissions: str  # read | write | read_write
    description: str = ""
    # WooCommerce remembers used nonces per key, keyed by timestamp, for the 15-minute window.
    nonces: dict[str, int] = field(default_factory=dict)


@dataclass
class Webhook:
    """A webhook subscription; `failures` is WooCommerce's failure_count (consecutive failed
    deliveries) and `pending_delivery` stays set while the creation ping has not been answered
    200 (captures/webhooks/failing-progression.json)."""

    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    status: str = "active"
    failures: int = 0
    pending_delivery: bool = True
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Faults:
    """Delivery faults injected on demand through /_sandbox/webhooks/faults."""

    drop_next: int = 0
    delay_next: int = 0
    delay_seconds: float = 0.0
    duplicate_next: int = 0
    fail_status: int | None = None  # pretend the receiver answered this status (counts a failure)
    fail_next: int = 0


@dataclass
class ApiFaults:
    """REST API faults injected through /_sandbox/api/faults: errors and slow answers."""

    fail_next: int = 0
    fail_status: int = 503
    delay_next: int = 0
    delay_seconds: float = 0.0


class StoreState:
    """Everything one emulated store holds; every mutation happens under `lock`."""

    def __init__(self, site_url: str | None = None) -> None:
        self.lock = threading.RLock()
        self.site_url = site_url  # learnt from the first request when not given
        self.on_event = None  # set by the webhook sender: callable(topic, resource_id)
        self.reset()

    def emit(self, topic: str, resource_id: int) -> None:
        """Tell the webhook sender that a resource changed (it delivers asynchronously)."""
        if self.on_event is not None:
            self.on_event(topic, resource_id)

    def reset(self) -> None:
        with self.lock:
            self.products: dict[int, dict] = {}
            self.variations: dict[int, dict] = {}
            self.orders: dict[int, dict] = {}
            self.notes: dict[int, list[dict]] = {}
            self.hidden_meta: dict[int, dict] = {}  # internal order meta, not shown over REST
            self.keys: dict[str, ApiKey] = {}
            self.webhooks: dict[int, Webhook] = {}
            # The Crossport plugin's options (its token key), as WordPress's wp_options keeps them.
            self.plugin_options: dict[str, str] = {}
            self.calls: list[dict] = []
            self.deliveries: list[dict] = []
            self.faults = Faults()
            self.api_faults = ApiFaults()
            self.auto_approve = False
            self.emails: list[dict] = []  # what the store would have e-mailed (orders.py)
            self.tax = TaxSettings()
            self.clock_offset = timedelta()
            # Posts, variations and orders share WordPress's post id sequence.
            self._ids = itertools.count(100)
            self._meta_ids = itertools.count(5000)
            self._item_ids = itertools.count(300)
            self._key_ids = itertools.count(1)

    # -- identity and time -------------------------------------------------------------------
    def now(self) -> datetime:
        return (datetime.now(UTC) + self.clock_offset).replace(microsecond=0)

    def next_id(self) -> int:
        return next(self._ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def base(self) -> str:
        return (self.site_url or "http://127.0.0.1").rstrip("/")

    # -- keys ----------------------------------------------------------------------------------
    def create_key(self, permissions: str = "read_write", description: str = "") -> ApiKey:
        with self.lock:
            key = ApiKey(
                key_id=next(self._key_ids),
                consumer_key="ck_" + secrets.token_hex(20),
                consumer_secret="cs_" + secrets.token_hex(20),
                permissions=permissions,
                description=description,
            )
            self.keys[key.consumer_key] = key
            return key

    def delete_key(self, key_id: int) -> None:
        with self.lock:
            for ck, key in list(self.keys.items()):
                if key.key_id == key_id:
                    del self.keys[ck]

    # -- calls log -----------------------------------------------------------------------------
    def record_call(self, entry: dict) -> None:
        with self.lock:
            self.calls.append(entry)
            del self.calls[:-2000]


def touch(resource: dict, moment: datetime) -> None:
    """Stamp a resource as modified now (the site runs on UTC, so local == GMT)."""
    resource["date_modified"] = wc_time(moment)
    resource["date_modified_gmt"] = wc_time(moment)


def meta_list(state: StoreState, entries: list[dict] | None, current: list[dict]) -> list[dict]:
    """Apply REST `meta_data` input the way WC_Data::update_meta_data does: by id, else by key."""
    result = [dict(m) for m in current]
    for entry in entries or []:
        if "id" in entry and entry["id"]:
            for m in result:
                if m["id"] == entry["id"]:
                    m["value"] = entry.get("value")
            continue
        key = entry.get("key")
        if not key:
            continue
        existing = [m for m in result if m["key"] == key]
        if existing:
            existing[0]["value"] = entry.get("value")
        else:
            result.append({"id": state.next_meta_id(), "key": key, "value": entry.get("value")})
    return result
