"""The Shopify emulator's app factory: many shops on one port, each under /store/{shop}."""

from __future__ import annotations

from flask import Flask, request

from sandbox.shopify.admin import build_admin
from sandbox.shopify.admin_api import build_admin_api
from sandbox.shopify.bulk import BulkRunner
from sandbox.shopify.changes import Changes
from sandbox.shopify.control import build_control
from sandbox.shopify.oauth import ACCESS_TTL, build_oauth
from sandbox.shopify.resolvers import Resolvers
from sandbox.shopify.schema import load_schema
from sandbox.shopify.state import EmulatorState
from sandbox.shopify.webhooks import WebhookSender


def create_emulator(
    api_key: str,
    api_secret: str,
    app_url: str,
    auto_approve: bool = False,
    validate_documents: bool = True,
    restore_rate: float = 100.0,
    max_available: float = 2000.0,
    access_ttl: int = ACCESS_TTL,
    webhook_timeout: float = 5.0,
    webhook_retry_delays: tuple[float, ...] = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8),
    bulk_delay: float = 0.05,
    compliance_url: str | None = None,
    default_scopes: str = "read_products,write_orders",
    preload_schema: bool = True,
) -> Flask:
    """Build one emulator serving many shops.

    app_url: Crossport's public URL (install link, iframe, allowed OAuth redirects).
    validate_documents: refuse documents that do not validate against the 2026-07 schema (as
    Shopify does; the emulator's part of it, sandbox/shopify/admin_schema.graphql).
    restore_rate / max_available: the leaky bucket of each shop (points a second / size).
    """
    app_url = app_url.rstrip("/")
    app = Flask(__name__)
    state = EmulatorState(max_available=max_available, restore_rate=restore_rate)
    state.auto_approve = auto_approve
    sender = WebhookSender(
        state, api_secret, timeout=webhook_timeout, retry_delays=webhook_retry_delays
    )
    changes = Changes(state, sender.emit)
    external = {"url": ""}

    def root_for(shop):
        return Resolvers(shop, changes).query_root()

    bulk_runner = BulkRunner(state, root_for, lambda: external["url"], delay=bulk_delay)
    faults: dict = {"server_errors": 0}
    config = {
        "api_key": api_key,
        "api_secret": api_secret,
        "app_url": app_url,
        "access_ttl": access_ttl,
        "default_scopes": default_scopes,
        "compliance_url": compliance_url or f"{app_url}/webhooks/shopify",
        "validate_documents": validate_documents,
    }
    app.extensions["shopify_emulator"] = {
        "state": state,
        "sender": sender,
        "changes": changes,
        "bulk": bulk_runner,
        "config": config,
    }

    @app.before_request
    def _remember_base_url():
        # The JSONL download URL must name the address the client used to reach us.
        external["url"] = request.host_url.rstrip("/")
        if not request.path.startswith("/_sandbox"):
            parts = request.path.split("/")
            shop = parts[2] if len(parts) > 2 and parts[1] == "store" else None
            if "/graphql.json" not in request.path:
                state.record_call(kind="http", shop=shop, method=request.method, path=request.path)

    app.register_blueprint(build_oauth(state, config))
    app.register_blueprint(build_admin_api(state, changes, bulk_runner, faults, validate_documents))
    app.register_blueprint(build_admin(state, config))
    app.register_blueprint(build_control(state, changes, sender, bulk_runner, config, faults))

    @app.get("/")
    def home():
        shops = "".join(f"<li><a href='/store/{d}/admin'>{d}</a></li>" for d in state.shops)
        return f"<h1>Shopify sandbox</h1><ul>{shops}</ul>"

    if preload_schema:
        load_schema()
    return app
