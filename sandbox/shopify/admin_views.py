"""Webhook subscriptions and bulk operations as GraphQL-resolvable dicts."""

from __future__ import annotations

from sandbox.shopify.state import gid


def subscription_view(s: dict) -> dict:
    return {
        "__typename": "WebhookSubscription",
        "id": gid("WebhookSubscription", s["id"]),
        "legacyResourceId": str(s["id"]),
        "topic": s["topic"],
        "uri": s["uri"],
        "callbackUrl": s["uri"],
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": s["uri"]},
        "format": s["format"],
        "includeFields": s["includeFields"],
        "metafieldNamespaces": [],
        "metafields": [],
        "filter": s["filter"],
        "apiVersion": {"handle": "2026-07", "displayName": "2026-07", "supported": True},
        "createdAt": s["createdAt"],
        "updatedAt": s["updatedAt"],
    }


def bulk_view(op: dict) -> dict:
    return {
        "__typename": "BulkOperation",
        "id": gid("BulkOperation", op["id"]),
        "status": op["status"],
        "errorCode": op.get("errorCode"),
        "createdAt": op["createdAt"],
        "completedAt": op.get("completedAt"),
        "objectCount": str(op.get("objectCount", 0)),
        "rootObjectCount": str(op.get("rootObjectCount", 0)),
        "fileSize": str(op["fileSize"]) if op.get("fileSize") is not None else None,
        "url": op.get("url"),
        "partialDataUrl": None,
        "query": op["query"],
        "type": "QUERY",
    }
