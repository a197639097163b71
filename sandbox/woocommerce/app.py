"""The WooCommerce emulator's app factory: one store per instance, served at its own base URL."""

from __future__ import annotations

import os

from flask import Flask, jsonify, request

from sandbox.woocommerce.admin import build_admin, build_plugin_assets
from sandbox.woocommerce.control import build_control
from sandbox.woocommerce.plugin_rest import build_plugin_rest
from sandbox.woocommerce.rest import build_rest
from sandbox.woocommerce.seed import seed_demo
from sandbox.woocommerce.state import StoreState
from sandbox.woocommerce.wc_auth import build_wc_auth
from sandbox.woocommerce.webhooks import WebhookSender


def create_emulator(
    *,
    site_url: str | None = None,
    seed: bool = False,
    auto_approve: bool = False,
    crossport_url: str | None = None,
    http_callback_hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
    webhook_timeout: float = 5.0,
) -> Flask:
    """Build one emulated WooCommerce store.

    site_url: the store's home URL (learnt from the first request when None); OAuth signatures
    are checked against it, as WordPress checks them against home_url().
    crossport_url: where the admin page's Crossport entry points (default $CROSSPORT_PUBLIC_URL).
    """
    app = Flask(__name__)
    state = StoreState(site_url)
    state.auto_approve = auto_approve
    config = {
        "crossport_url": (
            crossport_url or os.environ.get("CROSSPORT_PUBLIC_URL") or "http://127.0.0.1:5000"
        ).rstrip("/")
    }
    sender = WebhookSender(
        state, timeout=webhook_timeout, crossport_url=lambda: config["crossport_url"]
    )
    app.extensions["wc_state"] = state
    app.extensions["wc_sender"] = sender

    if seed and site_url:
        seed_demo(state)

    @app.before_request
    def _learn_site_url():
        if state.site_url is None:
            state.site_url = request.host_url.rstrip("/")
            if seed:
                seed_demo(state)

    @app.after_request
    def _shutdown(response):
        # PHP's `shutdown` of the request: synchronous deliveries, then WP-Cron if it is due
        # (delivery_timing.py). A control call stands for a wp-admin save or a sale, so its
        # synchronous deliveries go too, but it does not spawn the runner: /_sandbox/traffic does.
        sender.shutdown(request.path, traffic=not request.path.startswith("/_sandbox/"))
        return response

    app.register_blueprint(build_rest(state, sender))
    app.register_blueprint(build_wc_auth(state, http_callback_hosts))
    app.register_blueprint(build_control(state, sender, config))
    app.register_blueprint(build_admin(state, config))
    app.register_blueprint(build_plugin_assets())
    app.register_blueprint(build_plugin_rest(state))

    @app.get("/wp-json/")
    def index():
        # The REST index WordPress serves; clients read `url`/`home` to learn the store URL.
        return jsonify(
            {
                "name": "Sandbox Store",
                "url": state.base(),
                "home": state.base(),
                "namespaces": ["wc/v3", "wc-auth/v1"],
                "authentication": {},
                "routes": {},
            }
        )

    @app.get("/")
    def home():
        return "<h1>Sandbox Store</h1><p><a href='/wp-admin/'>Dashboard</a></p>"

    return app
