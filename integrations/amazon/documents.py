"""Feed and report documents: moved to and from Amazon's presigned URLs, recorded in the API log.

Documents are transferred here, not by python-amazon-sp-api: its upload encodes text as
ISO-8859-1 and its download guesses the text encoding (PLATFORMS.md, traps). A presigned URL is
plain HTTPS to S3, outside the SP-API client's rate limit and retries.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from urllib.parse import urlsplit

import requests

from .client import Attempt, SpApiClient

TIMEOUT = (5, 120)  # seconds to connect, to read: documents can be tens of megabytes


class DocumentFormatError(ValueError):
    """A downloaded document that cannot be read as Amazon describes it; says which and why."""


def transfer(client: SpApiClient, operation: str, method: str, url: str, *,
             marketplace_id: str | None = None, **kwargs) -> requests.Response:  # fmt: skip
    """One request to a presigned URL, recorded as `operation`; raises on an HTTP error."""
    started = time.monotonic()
    response = requests.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    client.record(Attempt(operation, marketplace_id, method=method, url_path=urlsplit(url).path,
                          status=response.status_code,
                          duration_ms=int((time.monotonic() - started) * 1000)))  # fmt: skip
    response.raise_for_status()
    return response


def download(client: SpApiClient, operation: str, document: dict, *,
             marketplace_id: str | None = None) -> bytes:  # fmt: skip
    """The bytes of a document (the `url` and `compressionAlgorithm` that getFeedDocument or
    getReportDocument answered), decompressed when Amazon compressed them."""
    content = transfer(client, operation, "GET", document["url"],
                       marketplace_id=marketplace_id).content  # fmt: skip
    algorithm = document.get("compressionAlgorithm")
    if algorithm is None:
        return content
    if algorithm != "GZIP":  # the only value the models define
        raise DocumentFormatError(
            f"{_name(document)}: compressionAlgorithm {algorithm!r} is not GZIP"
        )
    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as exc:
        problem = f"{_name(document)} is said to be GZIP but is not: {exc}"
        raise DocumentFormatError(problem) from exc


def decode_json(content: bytes, name: str) -> object:
    """A document's JSON, read as UTF-8 (Amazon's documents are); `name` says which in errors."""
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DocumentFormatError(f"{name} is not UTF-8 JSON: {exc}") from exc


def _name(document: dict) -> str:
    found = document.get("reportDocumentId") or document.get("feedDocumentId") or "?"
    return f"document {found}"
