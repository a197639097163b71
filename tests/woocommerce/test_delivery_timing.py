"""When the emulated store's deliveries leave it (issue 15, WooCommerce item 2): held until traffic
as a real WooCommerce 11 store holds them, and sent inside the triggering request for the
Crossport plugin's own webhooks. The behaviour is the captures README's section "Webhook
delivery: when and why it arrives" (../shared/specs/woocommerce/captures)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from integrations.woocommerce.client import WooClient
from sandbox.server import serve_in_thread


class SlowReceiver:
    """Answers every request 200 after `delay` seconds; keeps (arrival time, path, topic)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.seen: list[tuple[float, str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        with self.lock:
            self.seen.append(
                (time.time(), environ["PATH_INFO"], environ.get("HTTP_X_WC_WEBHOOK_TOPIC", ""))
            )
        time.sleep(self.delay)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def topics(self, path_prefix: str = "/") -> list[str]:
        with self.lock:
            return [t for _, p, t in self.seen if t and p.startswith(path_prefix)]


@pytest.fixture
def receiver():
    receiver = SlowReceiver()
    server = serve_in_thread(receiver)
    receiver.url = server.url
    yield receiver
    server.stop()


@pytest.fixture
def rest(store) -> WooClient:
    """A REST client of the store, signed as Crossport's own (OAuth 1.0a over http)."""
    key = store.key()
    return WooClient(
        store.url,
        key["consumer_key"],
        key["consumer_secret"],
        sandbox_hosts=(store.host,),
        recorder=lambda **f: None,
    )


def _hook(rest, url: str, topic: str = "product.updated") -> dict:
    return rest.post(
        "webhooks", {"name": topic, "topic": topic, "delivery_url": url, "secret": "s"}
    )


def _a_product(store) -> int:
    return next(iter(store.state.products))


def _sent(store) -> list[dict]:
    """The store's signed deliveries (its creation pings left out)."""
    return [d for d in store.control("deliveries", method="GET") if d["topic"] != "ping"]


def _settle(store, seconds: float = 1.0) -> None:
    time.sleep(seconds)
    store.wait()


def test_on_traffic_a_rest_change_waits_for_a_page_view_and_arrives_once(store, rest, receiver):
    _hook(rest, f"{receiver.url}/wh")
    store.control("config", {"webhook_delivery": "on_traffic"})
    product = _a_product(store)
    # two updates before any queue run (scenario-product-updated-twice-quickly)
    for price in ("93.00", "94.00"):
        rest.put(f"products/{product}", {"regular_price": price})
    _settle(store, 1.5)
    # nothing arrives without traffic (scenario-product-updated-simple: 70 s, nothing)
    assert receiver.topics() == []
    assert store.control("config", {})["held_deliveries"] == 1
    # a front-page view once the runner is due spawns WP-Cron, which delivers ONE body
    # showing the final state: the payload is built when it is sent
    store.control("config", {"runner_interval_seconds": 0.5})
    time.sleep(0.6)
    requests.get(f"{store.url}/", timeout=10)
    _settle(store, 0.5)
    assert receiver.topics() == ["product.updated"]
    assert [d["run_by"] for d in _sent(store)] == ["WP Cron"]
    assert rest.get(f"products/{product}")["regular_price"] == "94.00"


def test_on_traffic_a_page_view_before_the_runner_is_due_delivers_nothing(store, rest, receiver):
    _hook(rest, f"{receiver.url}/wh")
    store.control("config", {"webhook_delivery": "on_traffic"})  # a runner just ran
    rest.put(f"products/{_a_product(store)}", {"regular_price": "9"})
    requests.get(f"{store.url}/", timeout=10)
    _settle(store)
    assert receiver.topics() == []
    # the harness's page view at a moment the runner is due (/_sandbox/traffic)
    assert store.control("traffic")["released"] == 1
    _settle(store, 0.3)
    assert receiver.topics() == ["product.updated"]


def test_on_traffic_a_wp_admin_page_view_runs_the_async_queue_runner(store, rest, receiver):
    """scenario-product-updated-then-admin-page-view: the admin page dispatched
    admin-ajax.php?action=as_async_request_queue_runner, delivered 0.25 s later."""
    _hook(rest, f"{receiver.url}/wh")
    store.control("config", {"webhook_delivery": "on_traffic", "runner_interval_seconds": 60})
    rest.put(f"products/{_a_product(store)}", {"regular_price": "9"})
    # the async runner's 60 s lock was taken when on_traffic started: force it free
    store.app.extensions["wc_sender"].timing.async_ran -= 61
    requests.get(f"{store.url}/wp-admin/", timeout=10)
    _settle(store, 0.3)
    assert receiver.topics() == ["product.updated"]
    assert [d["run_by"] for d in _sent(store)] == ["Async Request"]


def test_the_plugin_delivers_crossports_webhooks_inside_the_request(store, rest, receiver):
    """scenario-sync-delivery: with woocommerce_webhook_deliver_async false the delivery is sent
    at the request's shutdown; the REST call waited for the receiver (3.1 s against a 3 s
    receiver). The plugin's filter says false for Crossport's own webhooks only."""
    crossport = f"{receiver.url}/crossport"
    store.control("config", {"crossport_url": crossport})
    _hook(rest, f"{crossport}/webhooks/woocommerce")
    _hook(rest, f"{receiver.url}/another-app/hook")
    store.control("config", {"webhook_delivery": "on_traffic", "plugin_sync_delivery": True})
    receiver.delay = 1.0
    started = time.time()
    rest.put(f"products/{_a_product(store)}", {"regular_price": "9"})
    took = time.time() - started
    # Crossport's delivery arrived while the request ran, and the response waited for it
    assert receiver.topics("/crossport/") == ["product.updated"]
    arrived = next(at for at, path, _ in receiver.seen if path.startswith("/crossport/"))
    assert arrived - started < 0.5 and took >= 1.0
    # another app's webhook still waits for traffic, as the store's own async delivery does
    receiver.delay = 0
    _settle(store, 0.5)
    assert receiver.topics("/another-app/") == []
    store.control("traffic")
    _settle(store, 0.3)
    assert receiver.topics("/another-app/") == ["product.updated"]


def test_a_wp_admin_save_is_delivered_synchronously_with_the_plugin(store, rest, receiver):
    crossport = f"{receiver.url}/crossport"
    store.control("config", {"crossport_url": crossport})
    _hook(rest, f"{crossport}/webhooks/woocommerce")
    store.control("config", {"webhook_delivery": "on_traffic", "plugin_sync_delivery": True})
    store.control(f"products/{_a_product(store)}/stock", {"stock_quantity": 3})
    assert receiver.topics("/crossport/") == ["product.updated"]
    assert [d["run_by"] for d in _sent(store)] == ["sync"]


def test_an_unknown_delivery_mode_is_a_400(store):
    answer = requests.post(
        f"{store.url}/_sandbox/config", json={"webhook_delivery": "sometimes"}, timeout=10
    )
    assert answer.status_code == 400
    assert "webhook_delivery" in answer.json()["message"]
