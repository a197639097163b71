"""Fixtures for the WooCommerce tests: a real emulated store and a real Crossport server."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.server import RunningServer, serve_in_thread
from sandbox.woocommerce import create_emulator

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@dataclass
class Store:
    """A running emulated store and shortcuts to its control endpoints."""

    server: RunningServer
    app: object

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def state(self):
        return self.app.extensions["wc_state"]

    def control(self, path: str, payload: dict | None = None, method: str = "POST"):
        answer = requests.request(method, f"{self.url}/_sandbox/{path}", json=payload, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def key(self, permissions: str = "read_write") -> dict:
        return self.control("keys", {"permissions": permissions})

    def wait(self) -> None:
        assert self.control("webhooks/wait", {"timeout": 10})["idle"]


@pytest.fixture(scope="session")
def store_server():
    # One emulator for the session (stopping a server costs half a second); reset per test.
    app = create_emulator()
    server = serve_in_thread(app)
    requests.get(server.url + "/", timeout=5)  # the emulator learns its site URL
    yield Store(server, app)
    server.stop()


@pytest.fixture
def store(store_server):
    """The emulated store, reset and seeded with the demo catalogue, auto-approving keys."""
    store_server.control("reset")
    store_server.control("seed")
    store_server.control("config", {"auto_approve": True})
    yield store_server
    store_server.app.extensions["wc_sender"].wait_idle(5)


class _Late:
    """A WSGI app whose target is set after the server started (its URL is then known)."""

    def __init__(self) -> None:
        self.target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="session")
def crossport_server():
    late = _Late()
    server = serve_in_thread(late)
    yield late, server
    server.stop()


@pytest.fixture
def crossport(app_factory, store, crossport_server):
    """Crossport served over real HTTP, allowed to reach the emulated store over http."""
    from core.db import db

    late, server = crossport_server
    app = app_factory(public_url=server.url, woocommerce_sandbox_hosts=(store.host,))
    late.target = app
    store.control("config", {"crossport_url": server.url})
    with app.app_context():
        yield app, server
        store.app.extensions["wc_sender"].wait_idle(5)
        db.session.remove()
        db.engine.dispose()


def connect_store(crossport_url: str, store: Store) -> requests.Response:
    """Run the whole key flow as a browser would (the emulator auto-approves)."""
    return requests.get(
        f"{crossport_url}/woocommerce/connect", params={"store_url": store.url}, timeout=30
    )


@pytest.fixture
def connected(crossport, store):
    """A Crossport app with the emulated store connected through the key flow."""
    from core.db import db
    from core.models import Shop

    app, server = crossport
    answer = connect_store(server.url, store)
    assert answer.status_code == 200, answer.text
    shop = db.session.scalars(db.select(Shop).where(Shop.platform == "woocommerce")).one()
    return app, server, shop
