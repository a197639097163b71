"""Processing of a JSON_LISTINGS_FEED document into listings and a processing report (v2)."""

from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft7Validator

from ..server import specs_dir
from . import listing_engine as engine
from . import marketplaces


@lru_cache(maxsize=1)
def _feed_schema() -> dict | None:
    path = specs_dir() / "sp-api" / "schemas" / "feeds" / "listings-feed-schema-v2.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _fatal(seller: str, feed_id: str, message: str) -> tuple[str, dict]:
    return "FATAL", {
        "header": {"sellerId": seller, "version": "2.0", "feedId": feed_id},
        "issues": [{"code": "100001", "severity": "ERROR", "message": message}],
        "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                    "messagesInvalid": 0},
    }  # fmt: skip


def process(em, feed: dict, content: bytes | None) -> tuple[str, dict]:
    """(DONE or FATAL, processing report) for one feed; applies accepted messages."""
    seller, feed_id = feed["seller"], feed["feedId"]
    if content is None:
        return _fatal(seller, feed_id, "The feed document was never uploaded.")
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _fatal(seller, feed_id, f"The feed document is not valid UTF-8 JSON: {exc}")
    schema = _feed_schema()
    header = document.get("header") if isinstance(document, dict) else None
    messages = document.get("messages") if isinstance(document, dict) else None
    if not isinstance(header, dict) or not isinstance(messages, list):
        return _fatal(seller, feed_id, "The feed needs a 'header' object and a 'messages' list.")
    if schema is not None:
        errors = list(Draft7Validator(schema["properties"]["header"]).iter_errors(header))
        if errors:
            return _fatal(seller, feed_id, f"Invalid feed header: {errors[0].message}")
    if header.get("sellerId") != seller:
        return _fatal(seller, feed_id, "The header sellerId does not match the feed's seller.")
    message_validator = (
        Draft7Validator(schema["properties"]["messages"]["items"]) if schema else None
    )
    issues, accepted, invalid = [], 0, 0
    markets = [marketplaces.get(m) for m in feed["marketplaceIds"]]
    for message in messages:
        found = _message(em, seller, markets, message, message_validator)
        for issue in found:
            entry = {"messageId": message.get("messageId"), "sku": message.get("sku"),
                     "code": issue["code"], "severity": issue["severity"],
                     "message": issue["message"]}  # fmt: skip
            if issue.get("attributeNames"):
                entry["attributeName"] = issue["attributeNames"][0]
            issues.append({k: v for k, v in entry.items() if v not in (None, "")})
        if any(i["severity"] == "ERROR" for i in found):
            invalid += 1
        else:
            accepted += 1
    report = {
        "header": {"sellerId": seller, "version": "2.0", "feedId": feed_id},
        "issues": issues,
        "summary": {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": len(messages), "messagesAccepted": accepted,
            "messagesInvalid": invalid,
        },
    }  # fmt: skip
    if isinstance(header.get("report"), dict):
        report["header"]["report"] = header["report"]
    return "DONE", report


def _message(em, seller, markets, message, validator) -> list[dict]:
    if validator is not None:
        errors = list(validator.iter_errors(message))
        if errors:
            return [{"code": "100002", "severity": "ERROR", "attributeNames": [],
                     "message": f"Invalid message: {errors[0].message}"}]  # fmt: skip
    sku, op = message["sku"], message["operationType"]
    found: list[dict] = []
    for market in markets:
        key = (seller, sku, market.id)
        if op == "DELETE":
            em.state.listings.pop(key, None)
            continue
        existing = em.state.listings.get(key)
        if op == "UPDATE":
            attributes = message["attributes"]
        elif existing is None:
            found.append(
                {
                    "code": "4000004",
                    "severity": "ERROR",
                    "attributeNames": [],
                    "message": f"SKU '{sku}' does not exist in {market.name}.",
                }
            )
            continue
        elif op == "PARTIAL_UPDATE":
            attributes = {**existing["attributes"], **message["attributes"]}
        else:
            schema = em.schemas.get(message["productType"], market)
            attributes, problems = engine.apply_patches(
                existing["attributes"], message["patches"], schema
            )
            found += problems
        requirements = message.get("requirements", "LISTING")
        issues = engine.validate(
            em, seller, market, message["productType"], attributes, requirements
        )
        found += issues
        if not any(i["severity"] == "ERROR" for i in found):
            engine.accept(em, seller, sku, market, message["productType"], attributes)
    return found
