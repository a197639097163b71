"""Catalogue import through a bulk operation: start, wait, download and regroup the JSONL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import requests

from integrations.shopify.client import ShopifyError, ShopifyGraphQL
from integrations.shopify.queries import document

DOWNLOAD_TIMEOUT = (5, 120)


def run_bulk_query(
    client: ShopifyGraphQL, name: str, *, poll: float = 1.0, timeout: float = 3600.0
) -> str | None:
    """Run bulk document `name`; returns the JSONL URL (None when the result is empty)."""
    deadline = time.monotonic() + timeout
    while True:
        data = client.execute("BulkOperationRunQuery", {"query": document(name).source})
        payload = data["bulkOperationRunQuery"]
        errors = payload.get("userErrors") or []
        if not errors:
            op_id = payload["bulkOperation"]["id"]
            break
        if any(e.get("code") == "OPERATION_IN_PROGRESS" for e in errors):
            # One bulk query per shop and app at a time: wait for the other one to end.
            if time.monotonic() > deadline:
                raise ShopifyError("a bulk operation stayed in progress", retryable=True)
            client.sleep(poll)
            continue
        raise ShopifyError("bulk query refused: " + "; ".join(e["message"] for e in errors))
    while True:
        op = client.execute("BulkOperationStatus", {"id": op_id})["bulkOperation"]
        if op["status"] == "COMPLETED":
            return op.get("url")
        if op["status"] in ("FAILED", "CANCELED", "EXPIRED"):
            raise ShopifyError(
                f"bulk operation {op['status']}: {op.get('errorCode')}",
                retryable=op["status"] != "CANCELED",
            )
        if time.monotonic() > deadline:
            raise ShopifyError("bulk operation timed out", retryable=True)
        client.sleep(poll)


def read_jsonl(url: str | None, session: requests.Session | None = None) -> Iterator[dict]:
    """The lines of a bulk result, streamed."""
    if not url:
        return
    http = session or requests
    with http.get(url, timeout=DOWNLOAD_TIMEOUT, stream=True, allow_redirects=False) as response:
        response.raise_for_status()
        for raw in response.iter_lines():
            if raw:
                yield json.loads(raw)


def group_products(lines: Iterator[dict]) -> Iterator[tuple[dict, list[dict]]]:
    """(product node, its variants) from the flat JSONL. Children come after their parent but
    not necessarily next to it (groupObjects: false), so the file is regrouped in memory."""
    products: dict[str, dict] = {}
    variants: dict[str, list[dict]] = {}
    variant_by_id: dict[str, dict] = {}
    for line in lines:
        parent = line.pop("__parentId", None)
        if parent is None:
            line.setdefault("media", {"nodes": []})
            line.setdefault("metafields", {"nodes": []})
            products[line["id"]] = line
            variants[line["id"]] = []
            continue
        product = products.get(parent)
        if product is None:
            variant = variant_by_id.get(parent)
            if variant is not None and "image" in line:  # the variant's media (MediaImage)
                variant["media"]["nodes"].append(line)
            continue
        if "/ProductVariant/" in str(line.get("id", "")):
            line.setdefault("media", {"nodes": []})
            variants[parent].append(line)
            variant_by_id[line["id"]] = line
        elif "namespace" in line:
            product["metafields"]["nodes"].append(line)
        elif "image" in line:  # a MediaImage of the product; other media select nothing
            product["media"]["nodes"].append(line)
    for product_id, product in products.items():
        yield product, variants[product_id]
