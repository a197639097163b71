"""The one settings object, read from CROSSPORT_* environment variables through typed parsers."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from cryptography.fernet import Fernet

PREFIX = "CROSSPORT_"
VAR_DIR = Path(os.environ.get("CROSSPORT_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean, got {raw!r}")


def _tuple(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _endpoints(raw: str) -> dict[str, str]:
    # "NA=https://...,EU=https://...,FE=https://..."
    pairs = (part.split("=", 1) for part in raw.split(",") if part.strip())
    return {region.strip().upper(): url.strip().rstrip("/") for region, url in pairs}


PRODUCTION_SPAPI = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}

# The European Central Bank's reference rates of the day (units per 1 EUR), published each
# working day around 16:00 CET.
ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"

# The environments Crossport knows; any other name is refused (a typo such as "prod" must not
# quietly get the demo's credentials and the sandbox).
ENVIRONMENTS = ("demo", "test", "production")
# Where the demo's app credentials and generated keys may be filled in (never in production).
DEMO_ENVIRONMENTS = ("demo", "test")

# Secrets have no production default: start-up stops, naming the missing one.
SECRET_KEYS = (
    "secret_key",
    "encryption_keys",
    "shopify_api_key",
    "shopify_api_secret",
    "lwa_client_id",
    "lwa_client_secret",
    "spapi_app_id",
)


@dataclass(frozen=True)
class Settings:
    """Every tunable of Crossport; one environment variable each (CROSSPORT_<NAME>)."""

    # demo: local sandbox and generated dev keys; production: every secret must be given
    env: str = "demo"
    # SQLAlchemy URL; PostgreSQL in production (postgresql+psycopg://...)
    database_url: str = ""
    # Redis for queues, rate-limit buckets and locks; empty in demo = embedded redis-server
    redis_url: str = ""
    # prefix of every queue name, so environments can share one Redis
    queue_prefix: str = "crossport-demo"
    # Flask session signing key (secret)
    secret_key: str = field(default="", repr=False)
    # Fernet keys for secrets at rest, newest first, comma separated (secret; rotation = prepend)
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    # public https base URL of this server (OAuth callbacks, webhooks)
    public_url: str = "http://127.0.0.1:8000"
    # run against the local emulators in sandbox/ instead of the real platforms
    sandbox: bool = True
    # Shopify app credentials (secret)
    shopify_api_key: str = field(default="", repr=False)
    shopify_api_secret: str = field(default="", repr=False)
    # Admin API version every Shopify call uses
    shopify_api_version: str = "2026-07"
    # where a shop's Admin API lives; {shop} is the myshopify domain
    shopify_admin_url_template: str = "https://{shop}"
    # Shopify scopes asked at install
    shopify_scopes: str = (
        "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,"
        "read_fulfillments,write_fulfillments,read_locations"
    )
    # Login with Amazon client of the SP-API application (secret)
    lwa_client_id: str = field(default="", repr=False)
    lwa_client_secret: str = field(default="", repr=False)
    # SP-API application id (for the consent URL)
    spapi_app_id: str = field(default="", repr=False)
    # LWA token endpoint
    lwa_token_url: str = "https://api.amazon.com/auth/o2/token"
    # Seller Central consent page; {region} picks the Seller Central of that region
    amazon_consent_url: str = "https://sellercentral.amazon.com/apps/authorize/consent"
    # SP-API endpoints per region
    spapi_endpoints: dict[str, str] = field(default_factory=lambda: dict(PRODUCTION_SPAPI))
    # divide SP-API wait times by this (only the emulator honours it; 1 in production)
    spapi_rate_speedup: float = 1.0
    # WooCommerce hosts (host:port) allowed over plain http and on private addresses
    woocommerce_sandbox_hosts: tuple[str, ...] = ()
    # days an API log row is kept
    api_log_retention_days: int = 30
    # days buyer PII is kept after shipment (Amazon's data protection policy)
    pii_retention_days: int = 30
    # seconds before a started job with no heartbeat counts as dead
    job_timeout_seconds: int = 600
    # seconds a worker holds the lock while creating one Amazon order in the store
    order_lock_seconds: int = 120
    # log level of the app and the workers
    log_level: str = "INFO"
    # event-driven orders: subscribe sellers to ORDER_CHANGE and read the notifications from SQS
    # (the order poll stays on as the safety net); needs the SQS settings below in production
    amazon_notifications: bool = True
    # the SQS queue Amazon delivers notifications to; its ARN (for the destination) is derived
    sqs_queue_url: str = ""
    # the SQS API address; empty = AWS's own for aws_region (the demo: the local SQS emulator)
    sqs_endpoint_url: str = ""
    # AWS region of the queue
    aws_region: str = "us-east-1"
    # AWS access key allowed to receive and delete the queue's messages (secret)
    aws_access_key_id: str = field(default="", repr=False)
    aws_secret_access_key: str = field(default="", repr=False)
    # seconds one read of the queue waits for a message (SQS long polling, 0 to 20)
    sqs_wait_seconds: int = 1
    # days the record of a received notification (a malformed one's body too) is kept: longer
    # than SQS keeps a message (14 days at most), so a late redelivery still finds its record
    notification_retention_days: int = 30
    # days the record of a store webhook (Shopify, WooCommerce) is kept once processed: the
    # delivery dedup needs it only while a store may still retry (hours), the dashboard a week
    webhook_retention_days: int = 30
    # the ECB's daily reference-rates file the FX refresh reads (demo: the local emulator)
    fx_rates_url: str = ECB_DAILY_URL

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def notifications_active(self) -> bool:
        """Whether sellers are subscribed to notifications and the queue is read."""
        return self.amazon_notifications and bool(self.sqs_queue_url)

    @property
    def sqs_queue_arn(self) -> str:
        """The queue's ARN, from its URL (https://sqs.<region>.amazonaws.com/<account>/<name>)."""
        return sqs_queue_arn(self.sqs_queue_url, self.aws_region)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read every CROSSPORT_* variable; unknown ones are ignored, malformed ones named."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            if name not in environ:
                continue
            raw = environ[name]
            try:
                values[f.name] = _parse(f.name, f.type, raw)
            except ValueError as exc:
                raise SettingsError(f"{name}: {exc}") from None
        values.update(overrides)
        settings = cls(**values)
        return settings.completed()

    def to_env(self) -> dict[str, str]:
        """These settings as CROSSPORT_* variables, to start a worker or web process with them."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, tuple):
                value = ",".join(value)
            elif isinstance(value, dict):
                value = ",".join(f"{k}={v}" for k, v in value.items())
            env[PREFIX + f.name.upper()] = str(value)
        return env

    def completed(self) -> Settings:
        """Fill demo defaults, or refuse to start in production when a secret is missing."""
        if self.env not in ENVIRONMENTS:
            raise SettingsError(
                f"{PREFIX}ENV: expected one of {', '.join(ENVIRONMENTS)}, got {self.env!r}"
            )
        if self.production:
            missing = [PREFIX + k.upper() for k in SECRET_KEYS if not getattr(self, k)]
            if not self.database_url:
                missing.append(PREFIX + "DATABASE_URL")
            if not self.redis_url:
                missing.append(PREFIX + "REDIS_URL")
            absent = []
            if self.amazon_notifications:
                needed = ("sqs_queue_url", "aws_access_key_id", "aws_secret_access_key")
                absent = [PREFIX + k.upper() for k in needed if not getattr(self, k)]
            missing += absent
            hint = f" (or {PREFIX}AMAZON_NOTIFICATIONS=false: orders by polling only)"
            hint = hint if absent else ""
            if missing:
                raise SettingsError(
                    "production start-up refused, missing settings: " + ", ".join(missing) + hint
                )
            self.refuse_sandbox_in_production()
            self._check_queue()
            return self
        changes: dict[str, object] = {}
        if not self.database_url:
            changes["database_url"] = f"sqlite:///{VAR_DIR / 'crossport.db'}"
        if not self.secret_key:
            changes["secret_key"] = _dev_secret("secret_key", lambda: secrets.token_urlsafe(32))
        if not self.encryption_keys:
            key = _dev_secret("encryption_key", lambda: Fernet.generate_key().decode())
            changes["encryption_keys"] = (key,)
        for name, demo_value in DEMO_APP_CREDENTIALS.items():  # env is demo or test here
            if not getattr(self, name):
                changes[name] = demo_value
        if self.env == "demo":  # the demo's SQS emulator, unless told of another queue
            if not self.sqs_queue_url:
                changes["sqs_queue_url"], changes["sqs_endpoint_url"] = DEMO_SQS_QUEUE
            for name, demo_value in DEMO_AWS_CREDENTIALS.items():
                if not getattr(self, name):
                    changes[name] = demo_value
            if self.fx_rates_url == ECB_DAILY_URL:  # the ECB emulator, unless told of another
                changes["fx_rates_url"] = DEMO_FX_RATES_URL
        settled = replace(self, **changes) if changes else self
        settled._check_queue()
        return settled

    def refuse_sandbox_in_production(self) -> None:
        """Production never runs on the sandbox's settings: the emulators' endpoints, private
        WooCommerce hosts over plain http, a sped-up SP-API clock, framing by 127.0.0.1, the
        demo's app credentials. Raises SettingsError naming each setting to change."""
        if not self.production:
            return
        wrong = []
        if self.sandbox:
            wrong.append(f"{PREFIX}SANDBOX is on (the default): set {PREFIX}SANDBOX=false")
        if self.woocommerce_sandbox_hosts:
            wrong.append(f"{PREFIX}WOOCOMMERCE_SANDBOX_HOSTS must be empty")
        if self.spapi_rate_speedup != 1.0:
            wrong.append(f"{PREFIX}SPAPI_RATE_SPEEDUP must be 1")
        demo = [k for k, v in DEMO_APP_CREDENTIALS.items() if getattr(self, k) == v]
        demo += [k for k, v in DEMO_AWS_CREDENTIALS.items() if getattr(self, k) == v]
        if demo:
            names = ", ".join(PREFIX + k.upper() for k in demo)
            wrong.append(f"{names} hold the demo's credentials")
        if wrong:
            raise SettingsError(
                "production start-up refused, sandbox settings: " + "; ".join(wrong)
            )

    def _check_queue(self) -> None:
        if self.sqs_queue_url:
            try:
                sqs_queue_arn(self.sqs_queue_url, self.aws_region)
            except ValueError as exc:
                raise SettingsError(f"{PREFIX}SQS_QUEUE_URL: {exc}") from None
        if not 0 <= self.sqs_wait_seconds <= 20:
            raise SettingsError(f"{PREFIX}SQS_WAIT_SECONDS: SQS waits 0 to 20 seconds")
        if self.notification_retention_days < 1:
            raise SettingsError(f"{PREFIX}NOTIFICATION_RETENTION_DAYS: at least 1 day")
        if self.webhook_retention_days < 1:
            raise SettingsError(f"{PREFIX}WEBHOOK_RETENTION_DAYS: at least 1 day")


# The sandbox emulators are configured with these same demo credentials.
DEMO_APP_CREDENTIALS = {
    "shopify_api_key": "crossport-demo-api-key",
    "shopify_api_secret": "crossport-demo-api-secret",
    "lwa_client_id": "amzn1.application-oa2-client.crossportdemo",
    "lwa_client_secret": "crossport-demo-lwa-secret",
    "spapi_app_id": "amzn1.sp.solution.crossport-demo",
}


# The queue and endpoint of the SQS emulator sandbox/demo.py runs (python -m sandbox.sqs).
DEMO_SQS_QUEUE = (
    "http://127.0.0.1:8104/000000000000/crossport-notifications",
    "http://127.0.0.1:8104",
)
# The ECB rates emulator sandbox/demo.py runs (python -m sandbox.fx), at the ECB's own path.
DEMO_FX_RATES_URL = "http://127.0.0.1:8105/stats/eurofxref/eurofxref-daily.xml"
DEMO_AWS_CREDENTIALS = {
    "aws_access_key_id": "crossport-demo-aws-key",
    "aws_secret_access_key": "crossport-demo-aws-secret",
}


def sqs_queue_arn(queue_url: str, region: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> of the queue at `queue_url`."""
    from urllib.parse import urlsplit

    parts = [p for p in urlsplit(queue_url).path.split("/") if p]
    if len(parts) != 2 or not parts[0].isdigit():
        raise ValueError(f"{queue_url!r} is not a queue URL (https://sqs.../<account>/<name>)")
    return f"arn:aws:sqs:{region}:{parts[0]}:{parts[1]}"


def _parse(name: str, type_name: object, raw: str) -> object:
    kind = str(type_name)
    if kind == "bool":
        return _bool(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        return _tuple(raw)
    if kind.startswith("dict"):
        return _endpoints(raw)
    return raw


def _dev_secret(name: str, make) -> str:
    """A development secret generated once and kept under ./var/ (demo mode only)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f"dev-{name}"
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value
