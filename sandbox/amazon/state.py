"""The emulator's in-memory world: sellers, tokens, listings, feeds, orders, faults, call log."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass
class Options:
    """Behaviour switches given to create_emulator()."""

    speedup: float = 1.0  # multiplies rate limits and divides every simulated delay
    validate_contracts: bool = True
    rate_limits: bool = True
    auto_approve: bool = True  # the consent page approves at once (tests) or shows a button
    lwa_clients: dict[str, str] | None = None  # client_id -> secret; None accepts any pair
    public_url: str | None = None  # base URL for document links; default: the bound address
    feed_queue_seconds: float = 2.0  # IN_QUEUE time of a feed
    feed_processing_seconds: float = 3.0  # IN_PROGRESS time of a feed
    report_queue_seconds: float = 5.0  # IN_QUEUE time of a report
    report_processing_seconds: float = 10.0  # IN_PROGRESS time of a report
    gzip_reports: bool = False  # serve report documents gzip-compressed (compressionAlgorithm)
    buyable_after_seconds: float = 5.0  # an ACCEPTED listing becomes BUYABLE this much later
    access_token_seconds: int = 3600
    sqs_url: str | None = None  # the SQS endpoint notifications are delivered to; None: outbox only


@dataclass
class Fault:
    """An injected misbehaviour: the next `count` matching calls fail or slow down."""

    kind: str  # "429" | "429-empty" | "500" | "503" | "slow" | "timeout"
    operation: str = "*"
    count: int = 1
    delay: float = 0.0
    seller: str | None = None


@dataclass
class Seller:
    """A selling partner and the regions and marketplaces it sells in."""

    id: str
    name: str
    regions: set[str]
    marketplaces: set[str]


@dataclass
class CallRecord:
    """One request the emulator answered, for rate-compliance checks in tests."""

    operation: str
    caller: str
    region: str | None
    status: int
    at: float  # time.time() when the request arrived
    request_id: str
    marketplace_ids: str = ""  # the request's marketplaceIds, so tests can count per marketplace


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as SP-API writes dates."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class State:
    """Everything the emulator remembers; one lock guards it (requests are short)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.outbox_signal = threading.Event()  # wakes the notification courier (notifier.py)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sellers: dict[str, Seller] = {}
            self.refresh_tokens: dict[str, tuple[str, str]] = {}  # token -> (seller, region)
            self.revoked: set[str] = set()
            self.auth_codes: dict[str, tuple[str, str, float]] = {}  # code -> seller,region,exp
            self.access_tokens: dict[str, dict] = {}  # token -> {seller, region, scope, exp}
            self.rdts: dict[str, dict] = {}  # token -> {seller, resources, exp}
            self.listings: dict[tuple[str, str, str], dict] = {}  # (seller, sku, mkt) -> item
            self.documents: dict[str, dict] = {}
            self.feeds: dict[str, dict] = {}
            self.orders: dict[str, dict] = {}
            self.order_pages: dict[str, dict] = {}
            self.inventory: dict[tuple[str, str, str], dict] = {}  # (seller, mkt, sku) -> row
            self.destinations: dict[str, dict] = {}
            self.subscriptions: dict[tuple[str, str | None, str], dict] = {}  # seller,region,type
            self.outbox: list[dict] = []  # notifications published, with their delivery status
            self.reports: dict[str, dict] = {}
            self.faults: list[Fault] = []
            self.calls: list[CallRecord] = []
            self.violations: list[dict] = []
            self.consent_seller: dict[str, str] = {}  # region -> seller id used by consent

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids)}{secrets.token_hex(3)}"

    def scaled(self, seconds: float) -> float:
        """A simulated delay after the speed-up."""
        return seconds / max(self.options.speedup, 1e-9)

    def add_seller(self, seller_id: str, name: str, regions: set[str], marketplaces: set[str]):
        with self.lock:
            seller = Seller(seller_id, name, regions, marketplaces)
            self.sellers[seller_id] = seller
            return seller

    def mint_refresh_token(self, seller_id: str, region: str) -> str:
        token = f"Atzr|{region}|{secrets.token_urlsafe(24)}"
        with self.lock:
            self.refresh_tokens[token] = (seller_id, region)
        return token

    def mint_access_token(self, seller: str | None, region: str | None, scope: str = "") -> str:
        token = f"Atza|{secrets.token_urlsafe(32)}"
        expires = time.time() + self.options.access_token_seconds
        with self.lock:
            self.access_tokens[token] = {
                "seller": seller,
                "region": region,
                "scope": scope,
                "exp": expires,
            }
        return token

    def take_fault(self, operation: str, seller: str | None) -> Fault | None:
        """Consume one matching fault, if any."""
        with self.lock:
            for fault in self.faults:
                if fault.operation not in ("*", operation):
                    continue
                if fault.seller and fault.seller != seller:
                    continue
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None
