"""Browser fixtures: Debian's chromium through Playwright, Crossport and the Shopify emulator
served on 127.0.0.1, and a shop seeded straight into Crossport's database.

Never downloads a browser: chromium is /usr/bin/chromium (installed by scripts/os-packages.sh).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from sandbox.server import serve_in_thread
from tests.browser import seed

CHROMIUM = os.environ.get("CROSSPORT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect

    # A loaded 2-core machine (other suites running) makes pages slower than 5 s at times.
    expect.set_options(timeout=10_000)
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/os-packages.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class _Lazy:
    """A WSGI app decided after its server started (Crossport and the emulator know each other's
    URL only once both listen)."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class Live:
    """Crossport and the Shopify emulator, running; the seeded shop's ids."""

    def __init__(self, app, crossport, emulator, emulator_app):
        self.app, self.crossport, self.emulator, self.emulator_app = (
            app,
            crossport,
            emulator,
            emulator_app,
        )
        self.ids: dict = {}

    @property
    def admin_url(self) -> str:
        # the trailing slash: the admin page links the app relatively ("apps/<key>")
        return f"{self.emulator.url}/store/{seed.SHOP}/admin/"

    def emulator_state(self):
        return self.emulator_app.extensions["shopify_emulator"]["state"]


@contextmanager
def running_live(test_settings, **overrides):
    """Crossport and the Shopify emulator serving the seeded shop; `overrides` change settings
    (e.g. the SP-API emulator's endpoints for a test with a real worker)."""
    from app import create_app
    from sandbox.shopify.app import create_emulator

    crossport_wsgi, emulator_wsgi = _Lazy(), _Lazy()
    crossport = serve_in_thread(crossport_wsgi)
    emulator = serve_in_thread(emulator_wsgi)
    settings = replace(
        test_settings,
        public_url=crossport.url,
        shopify_admin_url_template=emulator.url + "/store/{shop}",
        **overrides,
    )
    app = create_app({"SETTINGS": settings, "TESTING": True})
    crossport_wsgi.app = app
    emulator_app = create_emulator(
        api_key=settings.shopify_api_key,
        api_secret=settings.shopify_api_secret,
        app_url=crossport.url,
        preload_schema=False,
    )
    emulator_wsgi.app = emulator_app
    requests.post(f"{emulator.url}/_sandbox/shops/{seed.SHOP}", json={"seed": "none"}, timeout=10)
    emulator_app.extensions["shopify_emulator"]["state"].shop(seed.SHOP).installed = True
    running = Live(app, crossport, emulator, emulator_app)
    with app.app_context():
        running.ids = seed.seed_shop()
    try:
        yield running
    finally:
        crossport.stop()
        emulator.stop()
        with app.app_context():
            from core.db import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live(test_settings):
    with running_live(test_settings) as running:
        yield running


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()


def shot(target, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def act_as_viewer(page, live, user_id: str = "77") -> None:
    """The admin's embedded session becomes a viewer's: the store admin hands out session tokens
    of user `user_id` (a viewer in the seed)."""
    import json

    from sandbox.shopify.oauth import session_token

    settings = live.app.config["SETTINGS"]

    def as_viewer(route):
        token = session_token(
            settings.shopify_api_key, settings.shopify_api_secret, seed.SHOP, user_id=user_id
        )
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"token": token})
        )

    page.route("**/admin/_id_token", as_viewer)
