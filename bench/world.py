"""A whole Crossport world for the benchmarks: Redis, both emulators, Crossport over HTTP on a temp
SQLite database, the WooCommerce store connected, one Amazon seller in NA, EU and FE with the
eight marketplaces of the jobs tests enabled, and (on demand) real RQ worker processes.

Built like tests/jobs/conftest.py, but as a plain object a script starts and stops.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import redis
import requests
from cryptography.fernet import Fernet

from sandbox.amazon import create_emulator as create_amazon
from sandbox.server import serve_in_thread
from sandbox.woocommerce import create_emulator as create_woo
from tests.amazon.conftest import Emulator
from tests.jobs.conftest import MARKETS, PRODUCT_TYPES, SELLER_CONSTANTS
from tests.support.servers import RedisServer
from tests.support.workers import REPO, start_worker, worker_env, worker_output
from tests.woocommerce.conftest import Store, _Late, connect_store

logging.getLogger("werkzeug").setLevel(logging.ERROR)


class RequestLog:
    """WSGI middleware in front of the SP-API emulator: when each request arrived, its path,
    query and (for writes) body, so a benchmark can tell which call carried which value."""

    def __init__(self, app):
        self.app = app
        self.rows: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        arrived = time.time()
        body = b""
        if environ.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
        row = {
            "at": arrived,
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO", ""),
            "query": environ.get("QUERY_STRING", ""),
            "body": body if len(body) < 100_000 else b"",
        }
        with self.lock:
            self.rows.append(row)
        return self.app(environ, start_response)


class GunicornServer:
    """Crossport's web app as production runs it (the Procfile): gunicorn processes of its own,
    so receiving webhooks does not share this process's interpreter with the emulators."""

    def __init__(self, processes: int, threads: int = 4) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.processes, self.threads = processes, threads
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="crossport-web-", suffix=".log", delete=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, settings) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.processes),
                "--threads",
                str(self.threads),
                "app:create_app()",
            ],
            cwd=REPO,
            env=worker_env(settings),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@dataclass
class BenchWorld:
    tmp: Path
    redis_server: RedisServer
    amazon_server: object
    amazon_app: object
    amazon_log: RequestLog
    woo_server: object
    store: Store
    crossport_server: object
    app: object
    settings: object
    shop_id: int = 0
    seller_id: str = ""
    account_ids: dict = field(default_factory=dict)
    workers: list = field(default_factory=list)

    @property
    def amazon(self) -> Emulator:
        return Emulator(self.amazon_server.url)

    @property
    def emulator(self):
        """The SP-API emulator object itself (state, throttle), served in this process."""
        return self.amazon_app.config["EMULATOR"]

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.settings.redis_url)

    def start_workers(self, count: int) -> None:
        for _ in range(count):
            self.workers.append(start_worker(self.settings))

    def stop_workers(self) -> str:
        output = ""
        for proc in self.workers:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except Exception:
                proc.kill()
            output += worker_output(proc)
        self.workers.clear()
        return output

    def worker_logs(self) -> str:
        return "".join(worker_output(p) for p in self.workers)

    def refill_rate_limits(self) -> None:
        """Full buckets and empty feed windows, at Amazon (the emulator) and in Crossport."""
        self.emulator.throttle.reset()
        client = self.redis()
        prefix = self.settings.queue_prefix
        for key in [*client.scan_iter(f"{prefix}:spapi:bucket:*"),
                    *client.scan_iter(f"{prefix}:spapi:feed-window:*")]:  # fmt: skip
            client.delete(key)

    def stop(self) -> None:
        from core.db import db

        self.stop_workers()
        try:
            self.store.app.extensions["wc_sender"].wait_idle(5)
        except Exception:
            pass
        db.session.remove()
        db.engine.dispose()
        self._ctx.pop()
        for server in (self.crossport_server, self.woo_server, self.amazon_server):
            server.stop()
        self.redis_server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def build_world(
    *,
    speedup: float,
    seed_store: bool = True,
    amazon_options: dict | None = None,
    markets: dict | None = None,
    web_processes: int = 0,
) -> BenchWorld:
    """Start everything and connect it; the app context stays pushed until `stop()`.

    With `web_processes`, Crossport's web app runs in that many gunicorn processes (as in
    production); otherwise in a thread of this process, beside the emulators."""
    from app import create_app
    from core.migrations import upgrade
    from core.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="crossport-bench-"))
    redis_server = RedisServer()
    options = {
        "speedup": speedup,
        "rate_limits": True,
        "auto_approve": True,
        "feed_queue_seconds": 2.0,
        "feed_processing_seconds": 3.0,
        "buyable_after_seconds": 5.0,
        "validate_contracts": False,
        **(amazon_options or {}),
    }
    amazon_app = create_amazon(**options)
    amazon_log = RequestLog(amazon_app.wsgi_app)
    amazon_app.wsgi_app = amazon_log
    amazon_server = serve_in_thread(amazon_app)
    woo_app = create_woo()
    woo_server = serve_in_thread(woo_app)
    requests.get(woo_server.url + "/", timeout=5)  # the store learns its site URL
    store = Store(woo_server, woo_app)
    store.control("reset")
    if seed_store:
        store.control("seed")
    store.control("config", {"auto_approve": True})
    late = _Late()
    crossport_server = GunicornServer(web_processes) if web_processes else serve_in_thread(late)
    database = tmp / "crossport.db"
    upgrade(f"sqlite:///{database}")
    amazon = Emulator(amazon_server.url)
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{database}",
        redis_url=redis_server.url(db=1),
        queue_prefix="crossport-bench",
        secret_key="bench-secret-key-not-for-production",
        encryption_keys=(Fernet.generate_key().decode(),),
        public_url=crossport_server.url,
        sandbox=True,
        shopify_api_key="bench-api-key",
        shopify_api_secret="bench-api-secret-long-enough-for-hs256",
        lwa_client_id="amzn1.application-oa2-client.bench",
        lwa_client_secret="bench-lwa",
        spapi_app_id="amzn1.sp.solution.bench",
        spapi_rate_speedup=speedup,
        woocommerce_sandbox_hosts=(store.host,),
        spapi_endpoints=amazon.endpoints(),
        lwa_token_url=f"{amazon.url}/auth/o2/token",
        amazon_consent_url=f"{amazon.url}/{{region}}/apps/authorize/consent",
        order_lock_seconds=30,
        log_level=os.environ.get("CROSSPORT_BENCH_LOG_LEVEL", "WARNING"),
    )
    app = create_app({"SETTINGS": settings, "TESTING": True})
    late.target = app
    if web_processes:
        crossport_server.start(settings)
    store.control("config", {"crossport_url": crossport_server.url})
    world = BenchWorld(
        tmp,
        redis_server,
        amazon_server,
        amazon_app,
        amazon_log,
        woo_server,
        store,
        crossport_server,
        app,
        settings,
    )
    world._ctx = app.app_context()
    world._ctx.push()
    _connect(world, markets or MARKETS)
    return world


def _connect(world: BenchWorld, markets: dict) -> None:
    from core.db import db
    from core.models import AmazonAccount, Shop, TargetMarketplace
    from mapping.marketplaces import marketplace

    answer = connect_store(world.crossport_server.url, world.store)
    if answer.status_code != 200:
        raise RuntimeError(f"store connection failed: {answer.status_code} {answer.text[:300]}")
    shop = db.session.scalars(db.select(Shop).where(Shop.platform == "woocommerce")).one()
    seller = world.amazon.new_seller(name="Bench Store")
    accounts = {}
    for region in ("NA", "EU", "FE"):
        accounts[region] = AmazonAccount(
            shop_id=shop.id,
            region=region,
            selling_partner_id=seller["seller_id"],
            refresh_token=seller["refresh_tokens"][region],
        )
        db.session.add(accounts[region])
    db.session.flush()
    for country, (region, marketplace_id) in markets.items():
        market = marketplace(marketplace_id)
        db.session.add(
            TargetMarketplace(
                shop_id=shop.id,
                account_id=accounts[region].id,
                marketplace_id=marketplace_id,
                country_code=country,
                currency=market.currency,
                language=market.language_tag,
                enabled=True,
                fulfillment_channel="FBM",
            )
        )
    shop.settings = {**(shop.settings or {}), "safety_buffer": 0}
    db.session.commit()
    world.shop_id, world.seller_id = shop.id, seller["seller_id"]
    world.account_ids = {region: a.id for region, a in accounts.items()}


def add_profiles(shop_id: int) -> None:
    """The mapping page's work: a profile per product type with the seller's constants."""
    from core.db import db
    from core.models import MappingProfile

    for product_type in sorted(set(PRODUCT_TYPES.values())):
        db.session.add(
            MappingProfile(
                shop_id=shop_id,
                product_type=product_type,
                attributes=dict(SELLER_CONSTANTS),
                overrides={},
                settings={},
                texts={},
                price_rules={},
                disabled=[],
            )
        )
    db.session.commit()


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    from core.db import db

    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def settings_with(settings, **changes):
    return replace(settings, **changes)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]


def bucket_seconds(calls: int, rate: float, burst: int, full: bool = True) -> float:
    """Seconds a token bucket (rate/s, burst) needs to let `calls` requests through, starting
    full (or empty)."""
    if calls <= 0:
        return 0.0
    return max(0.0, calls - (burst if full else 0)) / rate
