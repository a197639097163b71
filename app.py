"""Crossport's web app factory, blueprint registration and CLI commands."""

from __future__ import annotations

import logging
import time
import uuid

import click
from flask import Flask, g, request

from core import redis as redis_ext
from core.crypto import Keyring, install_keyring
from core.db import db
from core.logs import configure_logging
from core.settings import Settings
from web.bad_input import install as install_bad_input_guard

log = logging.getLogger("crossport.web")

BLUEPRINTS = (
    "web.health",
    "web.shopify_install",
    "web.shopify_webhooks",
    "web.woocommerce_connect",
    "web.woocommerce_webhooks",
    "web.woocommerce_session",
    "web.page_handoff",
    "web.amazon_connect",
    "web.pages",
    "web.api",
    "web.openapi",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` may hold a ready `SETTINGS` object or Flask config keys."""
    config = dict(config or {})
    settings = config.pop("SETTINGS", None) or Settings.from_env()
    settings.refuse_sandbox_in_production()  # also when handed a ready Settings object
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_SAMESITE="None" if settings.public_url.startswith("https") else "Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https"),
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
    )
    app.config.update(config)

    configure_logging(settings.log_level, _secret_values(settings))
    install_keyring(Keyring(settings.encryption_keys))
    db.init_app(app)
    redis_ext.init_app(app)
    install_bad_input_guard(app)  # before the blueprints: their rules bind the int converter
    _register_blueprints(app)
    _register_request_log(app)
    _register_cli(app)
    return app


def _secret_values(settings: Settings) -> list[str]:
    return [
        settings.secret_key,
        *settings.encryption_keys,
        settings.shopify_api_secret,
        settings.lwa_client_secret,
        settings.aws_secret_access_key,
    ]


def _register_blueprints(app: Flask) -> None:
    import importlib

    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)


def _register_request_log(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.request_started = time.monotonic()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]

    @app.after_request
    def _log_request(response):
        started = g.get("request_started", time.monotonic())
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,  # never the query string: it can carry codes and keys
                "status": response.status_code,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "shop_id": g.get("shop_id"),
                "request_id": g.get("request_id"),
            },
        )
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response


def _register_cli(app: Flask) -> None:
    @app.cli.command("migrate")
    def migrate_command():
        """Apply the database migrations (alembic upgrade head)."""
        from core.migrations import upgrade

        upgrade(app.config["SETTINGS"].database_url)
        click.echo("database migrated")

    @app.cli.command("worker")
    @click.option("--queues", default="", help="comma-separated queue names (default: all)")
    @click.option("--burst", is_flag=True, help="stop when the queues are empty")
    def worker_command(queues: str, burst: bool):
        """Run an RQ worker inside the app context."""
        from jobs.worker import run_worker

        run_worker([q for q in queues.split(",") if q] or None, burst=burst)

    @app.cli.command("scheduler")
    def scheduler_command():
        """Enqueue periodic jobs (order polling, reconciliation, purges)."""
        from jobs.scheduler import run_scheduler

        run_scheduler()

    @app.cli.command("rotate-keys")
    def rotate_keys_command():
        """Re-encrypt every stored secret under the newest encryption key."""
        from core.rotation import rotate_all_secrets

        click.echo(f"re-encrypted {rotate_all_secrets()} secrets")
