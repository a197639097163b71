"""Complete webhook bodies with the fields of Shopify's documented example for the topic.

The emulator fills what it knows (ids, titles, prices, stock, tracking); every other field the
documented payload carries comes from Shopify's example in ../shared/specs/shopify/webhooks/,
so a receiver sees the full documented shape. Without the specs folder, bodies stay as built.
"""

from __future__ import annotations

import copy
import functools
import json

from sandbox.server import specs_dir


@functools.cache
def example(topic: str) -> dict | None:
    path = (
        specs_dir() / "shopify" / "webhooks" / f"2026-04.{topic.replace('/', '__')}.metadata.json"
    )
    if not path.exists():
        return None
    response = json.loads(path.read_text(encoding="utf-8")).get("response")
    return response if isinstance(response, dict) and response else None


def complete(topic: str, body: dict) -> dict:
    """`body` with the missing keys of the topic's documented example (recursively)."""
    sample = example(topic)
    return _fill(body, sample) if sample else body


def _fill(ours, sample):
    if isinstance(ours, dict) and isinstance(sample, dict):
        merged = {k: _fill(v, sample.get(k)) for k, v in ours.items()}
        for key, value in sample.items():
            if key not in merged:
                merged[key] = copy.deepcopy(value)
            elif merged[key] is None and isinstance(value, dict):
                merged[key] = None  # absent object stays absent; see fix-ups by the builder
        return merged
    if isinstance(ours, list) and isinstance(sample, list) and sample:
        return [_fill(item, sample[0]) for item in ours]
    return ours
