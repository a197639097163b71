"""Structured logging: one JSON line per request and per job, with tenant and job id, no secrets."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Token shapes of the platforms: LWA (Atza|, Atzr|), Shopify (shpat_, shpua_), WooCommerce
# (ck_, cs_), Fernet ciphertexts, bearer headers. Masked even if a careless message includes one.
_SECRET_PATTERNS = [
    re.compile(r"Atz[ar]\|[\w\-|.=]+"),
    re.compile(r"\bshp(?:at|ua|ca|ss)_\w+"),
    re.compile(r"\b(?:ck|cs)_[0-9a-f]{16,}"),
    re.compile(r"(?i)(bearer\s+)[\w\-.=]+"),
    re.compile(r"gAAAAA[\w\-=]{20,}"),
    # a URL's query parameters that carry credentials (a message quoting a URL): the value goes
    re.compile(
        r"(?i)(\b(?:id_token|wc_token|page_token|access_token|refresh_token|token|handoff|code"
        r"|spapi_oauth_code|state|hmac|ticket|signature)=)[^&\s\"']+"
    ),
]
_EXTRA_FIELDS = (
    "shop_id",
    "job_id",
    "job_func",
    "queue",
    "status",
    "duration_ms",
    "method",
    "path",
    "platform",
    "operation",
    "request_id",
    "attempt",
)


class SecretRedactor(logging.Filter):
    """Masks known token shapes and the configured secret values in every record."""

    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s and len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern in _SECRET_PATTERNS:
            text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _EXTRA_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(level: str, secrets: list[str], stream=None) -> logging.Handler:
    """Route the crossport and rq loggers to one JSON handler with the redactor (idempotent)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretRedactor(secrets))
    handler.set_name("crossport-json")
    for name in ("crossport", "rq.worker"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "crossport-json"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    return handler
