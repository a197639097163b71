"""Webhooks of the emulated store: CRUD, the creation ping and asynchronous signed deliveries.

Like WooCommerce: the payload is built at delivery time (the resource's current state), the
body is signed with base64 HMAC-SHA256 of the webhook secret, deliveries are never retried.
Failures as a real WooCommerce 11 store counts them (captures/webhooks/failing-progression.json):
anything but 2xx, 301 or 302 adds one to failure_count, up to 6 the webhook stays active, the
7th consecutive failure sets it `disabled` (failure_count stays 6). A webhook whose creation
ping was not answered 200 keeps `pending_delivery`, and the store sends the ping again every
time it saves the webhook while active: after each failed delivery and each REST update.

Deliveries run in the background, as WooCommerce runs them through Action Scheduler (wp-cron):
a few runners take queued deliveries one after another. When they leave (at once, held until
traffic as a real store holds them, or synchronously for the Crossport plugin's webhooks) is
delivery_timing.py's business. WooCommerce's default is a single batch
runner (`action_scheduler_queue_runner_concurrent_batches`); the emulator runs RUNNERS, enough
to reorder deliveries and to press the receiver harder than a real store would, but never a
thread per delivery, which no store does and which turns a bulk stock edit into a flood.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time

import requests
from flask import g, has_request_context

from sandbox.woocommerce.catalog import RestError, product_view, public
from sandbox.woocommerce.delivery_timing import DeliveryTiming
from sandbox.woocommerce.state import StoreState, Webhook, wc_time

TOPICS = {
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
}
# WooCommerce disables a webhook when a delivery fails with failure_count already above this
# (woocommerce_max_webhook_delivery_failures, 5): at the 7th consecutive failure
# (captures/webhooks/failing-get-after-6-failures.json: active; -after-7-failures.json: disabled).
MAX_FAILURES = 5


def create_webhook(state: StoreState, data: dict) -> Webhook:
    topic = data.get("topic", "")
    if topic not in TOPICS and not topic.startswith("action."):
        raise RestError(
            "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid."
        )
    url = data.get("delivery_url", "")
    if not url.startswith(("http://", "https://")):
        raise RestError(
            "woocommerce_rest_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        )
    with state.lock:
        hook = Webhook(
            id=state.next_id(),
            name=data.get("name") or topic,
            topic=topic,
            delivery_url=url,
            secret=data.get("secret") or hashlib.md5(b"1admin").hexdigest(),
            status=data.get("status", "active"),
        )
        hook.created = hook.modified = state.now()
        state.webhooks[hook.id] = hook
    return hook


def update_webhook(state: StoreState, ident: int, data: dict) -> Webhook:
    with state.lock:
        hook = state.webhooks.get(ident)
        if hook is None:
            raise RestError("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
        for field in ("name", "topic", "delivery_url", "secret"):
            if data.get(field):
                setattr(hook, field, data[field])
        if "status" in data:
            hook.status = data["status"]
            if hook.status == "active":
                hook.failures = 0  # re-enabling through the API clears the failure count
        hook.modified = state.now()
        return hook


def public_webhook(state: StoreState, hook: Webhook) -> dict:
    resource, _, event = hook.topic.partition(".")
    api = f"{state.base()}/wp-json/wc/v3/webhooks"
    return {
        "id": hook.id,
        "name": hook.name,
        "status": hook.status,
        "topic": hook.topic,
        "resource": resource,
        "event": event,
        "hooks": [],
        "delivery_url": hook.delivery_url,
        "date_created": wc_time(hook.created),
        "date_created_gmt": wc_time(hook.created),
        "date_modified": wc_time(hook.modified),
        "date_modified_gmt": wc_time(hook.modified),
        "_links": {"self": [{"href": f"{api}/{hook.id}"}], "collection": [{"href": api}]},
    }


def php_json(payload: dict) -> bytes:
    """The body as WordPress's wp_json_encode writes it: compact, non-ASCII as \\uXXXX and "/"
    escaped as "\\/" (captures/webhooks/*: "https:\\/\\/shop.test\\/..."), so receivers verify
    the signature over the bytes as sent, never over a re-encoding."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def signature(body: bytes, secret: str) -> str:
    """X-WC-Webhook-Signature: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


RUNNERS = 4


class WebhookSender:
    """Delivers events from a queue in RUNNERS background threads (so delays reorder them)."""

    def __init__(
        self,
        state: StoreState,
        timeout: float = 5.0,
        runners: int = RUNNERS,
        crossport_url=lambda: "",
    ) -> None:
        self.state = state
        self.timeout = timeout
        self.timing = DeliveryTiming()
        self.crossport_url = crossport_url  # callable: the plugin's crossport_url option
        self.pending = 0
        self.idle = threading.Condition()
        self.queue: queue.Queue = queue.Queue()
        self.runners = [
            threading.Thread(target=self._run, daemon=True, name=f"wc-webhook-runner-{n}")
            for n in range(runners)
        ]
        for runner in self.runners:
            runner.start()
        state.on_event = self.emit

    def ping(self, hook: Webhook) -> None:
        """The unsigned form POST `webhook_id=N` WooCommerce sends when a webhook is created."""
        try:
            answer = requests.post(
                hook.delivery_url,
                data={"webhook_id": hook.id},
                timeout=self.timeout,
                allow_redirects=False,
            )
            status: int | str = answer.status_code
        except requests.RequestException as exc:
            status = f"error: {exc.__class__.__name__}"
        with self.state.lock:
            self.state.deliveries.append(
                {"webhook_id": hook.id, "topic": "ping", "resource_id": None, "status": status}
            )
            # A failed ping does not stop the creation and is not counted as a failure; it
            # leaves pending_delivery set (captures/webhooks/failing-create.json). That a ping
            # answered 200 clears it is what the flag's name says; the captures show no case.
            hook.pending_delivery = status != 200

    def saved(self, hook: Webhook) -> None:
        """WooCommerce saved the webhook: while a ping is pending it is sent again
        (captures/webhooks/failing-progression.json: a second request after each failure)."""
        if hook.status == "active" and hook.pending_delivery:
            self.ping(hook)

    def emit(self, topic: str, resource_id: int) -> None:
        with self.state.lock:
            hooks = [
                h for h in self.state.webhooks.values() if h.topic == topic and h.status == "active"
            ]
            faults = self.state.faults
            for hook in hooks:
                plan = {"drop": False, "delay": 0.0, "copies": 1, "fail": None}
                if faults.drop_next > 0:
                    faults.drop_next -= 1
                    plan["drop"] = True
                if faults.delay_next > 0:
                    faults.delay_next -= 1
                    plan["delay"] = faults.delay_seconds
                if faults.duplicate_next > 0:
                    faults.duplicate_next -= 1
                    plan["copies"] = 2
                if faults.fail_next > 0:
                    faults.fail_next -= 1
                    plan["fail"] = faults.fail_status or 500
                for _ in range(plan["copies"]):
                    self._schedule(hook, topic, resource_id, plan)

    def _schedule(self, hook: Webhook, topic: str, resource_id: int, plan: dict) -> None:
        """Send now (background runners), at the request's shutdown (the Crossport plugin's
        synchronous delivery) or when traffic runs the queue (delivery_timing.py)."""
        if has_request_context() and self.timing.synchronous(
            hook.delivery_url, self.crossport_url()
        ):
            g.setdefault("wc_shutdown_deliveries", []).append(
                (hook.id, topic, resource_id, {**plan, "run_by": "sync"})
            )
        elif self.timing.mode == "on_traffic":
            self.timing.hold(hook.id, topic, resource_id, plan)
        else:
            self._start(hook.id, topic, resource_id, plan)

    def shutdown(self, path: str, traffic: bool = True) -> None:
        """The end of a request to the store (PHP `shutdown`): the synchronous deliveries it
        queued are sent now, before its response leaves (scenario-sync-delivery), then the
        request spawns a queue runner if one is due (scenario-async-after-sync-removed)."""
        for delivery in g.pop("wc_shutdown_deliveries", []):
            with self.idle:
                self.pending += 1
            self._deliver(*delivery)
        if traffic:
            self.run_queue(path)

    def run_queue(self, path: str, forced: bool = False) -> int:
        """Traffic reached the store: hand what a runner takes now to the runners."""
        taken = self.timing.traffic(path, forced=forced)
        for (hook_id, topic, resource_id), plan, run_by in taken:
            self._start(hook_id, topic, resource_id, {**plan, "run_by": run_by})
        return len(taken)

    def _start(self, hook_id: int, topic: str, resource_id: int, plan: dict) -> None:
        with self.idle:
            self.pending += 1
        self.queue.put((hook_id, topic, resource_id, plan))

    def _run(self) -> None:
        while True:
            self._deliver(*self.queue.get())

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every started delivery finished (for tests and the control endpoint)."""
        deadline = time.monotonic() + timeout
        with self.idle:
            while self.pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True

    def _payload(self, topic: str, resource_id: int) -> dict:
        resource, _, event = topic.partition(".")
        if event == "deleted":
            return {"id": resource_id}
        if resource == "product":
            # A variation is delivered as itself, in the product schema
            # (captures/webhooks/scenario-variation-stock-rest.json).
            item = product_view(self.state, resource_id)
            return item if item is not None else {"id": resource_id}
        order = self.state.orders.get(resource_id)
        return public(self.state, order, resource) if order else {"id": resource_id}

    def _deliver(self, hook_id: int, topic: str, resource_id: int, plan: dict) -> None:
        try:
            if plan["delay"]:
                time.sleep(plan["delay"])
            with self.state.lock:
                hook = self.state.webhooks.get(hook_id)
                if hook is None or hook.status != "active":
                    return
                body = php_json(self._payload(topic, resource_id))
                secret, url = hook.secret, hook.delivery_url
            status = self._post(hook_id, topic, url, secret, body, plan)
            self._account(hook_id, topic, resource_id, status, plan.get("run_by", "runner"))
        finally:
            with self.idle:
                self.pending -= 1
                self.idle.notify_all()

    def _post(
        self, hook_id: int, topic: str, url: str, secret: str, body: bytes, plan: dict
    ) -> int | str:
        if plan["drop"]:
            return "dropped"  # lost on the way: WooCommerce counts it as a failure
        if plan["fail"]:
            return plan["fail"]  # the receiver is down and answers this status
        resource, _, event = topic.partition(".")
        # WooCommerce's delivery id is wp_hash(id . time()): the same within a second.
        delivery = hashlib.md5(f"{hook_id}{int(time.time())}".encode()).hexdigest()
        # As a WooCommerce 11.0.1 store on WordPress 7.1 sends it (every delivery in
        # captures/webhooks/scenario-*.json).
        headers = {
            "User-Agent": "WooCommerce/11.0.1 Hookshot (WordPress/7.1)",
            "Accept": "*/*",
            "Accept-Encoding": "deflate, gzip, br, zstd",
            "Content-Type": "application/json",
            "Connection": "close",
            "X-WC-Webhook-Source": self.state.base() + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature(body, secret),
            "X-WC-Webhook-ID": str(hook_id),
            "X-WC-Webhook-Delivery-ID": delivery,
        }
        try:
            answer = requests.post(
                url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            return f"error: {exc.__class__.__name__}"
        return plan["fail"] or answer.status_code

    def _account(
        self, hook_id: int, topic: str, resource_id: int, status: int | str, run_by: str
    ) -> None:
        with self.state.lock:
            self.state.deliveries.append(
                {
                    "webhook_id": hook_id,
                    "topic": topic,
                    "resource_id": resource_id,
                    "status": status,
                    "run_by": run_by,  # as Action Scheduler's log says, or "sync"/"runner"
                    "sent_at": time.time(),
                }
            )
            hook = self.state.webhooks.get(hook_id)
            if hook is None:
                return
            if isinstance(status, int) and (200 <= status < 300 or status in (301, 302)):
                hook.failures = 0
                return
            if hook.failures > MAX_FAILURES:
                hook.status = "disabled"  # the 7th consecutive failure; the count stays 6
            else:
                hook.failures += 1
        self.saved(hook)
