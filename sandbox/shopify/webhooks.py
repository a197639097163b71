"""The webhook sender: signs like Shopify, retries, and on demand drops, delays, duplicates and
reorders deliveries (Shopify's delivery is at least once and unordered)."""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from sandbox.shopify.state import EmulatorState, ShopState, now_iso

API_VERSION = "2026-07"


def sign(secret: str, body: bytes) -> str:
    """X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body with the app secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    url: str
    shop: str
    topic: str
    body: bytes
    event_id: str
    webhook_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    triggered_at: str = field(default_factory=now_iso)
    attempts: int = 0
    forged: bool = False

    def headers(self, secret: str) -> dict:
        signature = sign("not-the-secret" if self.forged else secret, self.body)
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": self.topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": self.shop,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": self.webhook_id,
            "X-Shopify-Event-Id": self.event_id,
            "X-Shopify-Triggered-At": self.triggered_at,
        }


class WebhookSender:
    """Queues deliveries per subscription and sends them from one background thread."""

    def __init__(
        self,
        state: EmulatorState,
        secret: str,
        timeout: float = 5.0,
        retry_delays: tuple[float, ...] = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8),
    ):
        self.state = state
        self.secret = secret
        self.timeout = timeout
        self.retry_delays = retry_delays
        self.faults = {"drop": 0, "duplicate": 0, "delay": 0.0, "hold": False}
        self.log: list[dict] = []
        self._heap: list = []
        self._held: list[Delivery] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._thread: threading.Thread | None = None

    # -- producing -----------------------------------------------------------------------------

    def emit(self, shop: ShopState, topic: str, payload: dict, event_id: str | None = None) -> int:
        """Queue `topic` for every subscription of the shop; returns how many were queued."""
        from sandbox.shopify.resolvers import TOPIC_NAMES

        wanted = {enum for enum, name in TOPIC_NAMES.items() if name == topic}
        urls = [s["uri"] for s in shop.subscriptions.values() if s["topic"] in wanted]
        body = json.dumps(payload, separators=(",", ":")).encode()
        event_id = event_id or str(uuid.uuid4())
        for url in urls:
            self.send(
                Delivery(url=url, shop=shop.domain, topic=topic, body=body, event_id=event_id)
            )
        return len(urls)

    def send(self, delivery: Delivery) -> None:
        with self._cond:
            if self.faults["drop"] > 0:
                self.faults["drop"] -= 1
                self.log.append(self._entry(delivery, status="dropped"))
                return
            copies = 1
            if self.faults["duplicate"] > 0:
                self.faults["duplicate"] -= 1
                copies = 2
            for _ in range(copies):
                copy = Delivery(**{**delivery.__dict__, "webhook_id": str(uuid.uuid4())})
                if self.faults["hold"]:
                    self._held.append(copy)
                else:
                    self._push(copy, time.monotonic() + self.faults["delay"])
            self._ensure_thread()

    def release(self, order: str = "reverse") -> int:
        """Send held deliveries, newest first by default (an out-of-order burst)."""
        with self._cond:
            held, self._held = self._held, []
            self.faults["hold"] = False
            if order == "reverse":
                held.reverse()
            for delivery in held:
                self._push(delivery, time.monotonic())
            self._ensure_thread()
            return len(held)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or in flight (held deliveries excepted)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    # -- sending -------------------------------------------------------------------------------

    def _push(self, delivery: Delivery, due: float) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), delivery))
        self._cond.notify_all()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else 1.0
                    self._cond.wait(max(0.005, min(wait, 1.0)))
                _, _, delivery = heapq.heappop(self._heap)
                self._in_flight += 1
            try:
                self._deliver(delivery)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _deliver(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        status, error = 0, ""
        try:
            response = requests.post(
                delivery.url,
                data=delivery.body,
                headers=delivery.headers(self.secret),
                timeout=self.timeout,
                allow_redirects=False,
            )
            status = response.status_code
        except requests.RequestException as exc:
            error = type(exc).__name__
        ok = 200 <= status < 300
        with self._cond:
            self.log.append(self._entry(delivery, status=status, error=error))
            if not ok and delivery.attempts <= len(self.retry_delays):
                self._push(delivery, time.monotonic() + self.retry_delays[delivery.attempts - 1])

    def _entry(self, d: Delivery, **extra) -> dict:
        return {
            "url": d.url,
            "shop": d.shop,
            "topic": d.topic,
            "event_id": d.event_id,
            "webhook_id": d.webhook_id,
            "attempt": d.attempts,
            "at": time.time(),
            **extra,
        }
