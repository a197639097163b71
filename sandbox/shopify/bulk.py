"""Bulk operations: run a query over the whole shop in the background and serve JSONL."""

from __future__ import annotations

import json
import threading
import time

from graphql import execute

from sandbox.shopify.schema import document_errors, load_schema, parse_document
from sandbox.shopify.state import EmulatorState, ShopState, gid, now_iso


def flatten(data: dict) -> tuple[list[dict], int]:
    """Shopify's JSONL: every connection node on its own line, children with __parentId."""
    lines: list[dict] = []
    roots = 0

    def nodes_of(conn: dict) -> list[dict]:
        if "nodes" in conn:
            return conn["nodes"] or []
        return [e["node"] for e in conn.get("edges") or []]

    def is_connection(value) -> bool:
        return isinstance(value, dict) and ("edges" in value or "nodes" in value)

    def strip(obj: dict, parent_id: str | None, pending: list) -> dict:
        out = {}
        for key, value in obj.items():
            if is_connection(value):
                pending.extend((parent_id, n) for n in nodes_of(value))
            elif isinstance(value, dict):
                out[key] = strip(value, parent_id, pending)
            else:
                out[key] = value
        return out

    def emit(node: dict, parent_id: str | None) -> None:
        pending: list = []
        line = strip(node, node.get("id", parent_id), pending)
        if parent_id is not None:
            line["__parentId"] = parent_id
        lines.append(line)
        for pid, child in pending:
            emit(child, pid)

    for value in data.values():
        if is_connection(value):
            for node in nodes_of(value):
                roots += 1
                emit(node, None)
    return lines, roots


class BulkRunner:
    """Starts bulk queries and keeps their results in memory for the JSONL download route."""

    def __init__(self, state: EmulatorState, root_for, base_url, delay: float = 0.05):
        self.state = state
        self.root_for = root_for  # shop -> query root dict
        self.base_url = base_url  # () -> the emulator's external base URL
        self.delay = delay
        self.results: dict[int, bytes] = {}

    def __call__(self, shop: ShopState, query: str) -> dict:
        from sandbox.shopify.admin_views import bulk_view

        errors = document_errors(query)
        if errors:
            return {
                "bulkOperation": None,
                "userErrors": [
                    {"field": ["query"], "message": errors[0]["message"], "code": "INVALID"}
                ],
            }
        running = [
            op for op in shop.bulk_operations.values() if op["status"] in ("CREATED", "RUNNING")
        ]
        if running:
            return {
                "bulkOperation": None,
                "userErrors": [
                    {
                        "field": None,
                        "code": "OPERATION_IN_PROGRESS",
                        "message": "A bulk query operation for this app and shop is already in "
                        "progress: "
                        f"{gid('BulkOperation', running[0]['id'])}.",
                    }
                ],
            }
        op_id = self.state.next_id()
        op = {"id": op_id, "status": "CREATED", "createdAt": now_iso(), "query": query}
        shop.bulk_operations[op_id] = op
        url = f"{self.base_url()}/_sandbox/bulk/{op_id}.jsonl"
        threading.Thread(target=self._run, args=(shop, op, url), daemon=True).start()
        return {"bulkOperation": bulk_view(op), "userErrors": []}

    def _run(self, shop: ShopState, op: dict, url: str) -> None:
        op["status"] = "RUNNING"
        time.sleep(self.delay)
        with self.state.lock:
            result = execute(
                load_schema(),
                parse_document(op["query"]),
                root_value=self.root_for(shop),
                context_value={"bulk": True},
            )
        if result.errors:
            op.update(status="FAILED", errorCode="INTERNAL_SERVER_ERROR", completedAt=now_iso())
            return
        lines, roots = flatten(result.data or {})
        body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
        self.results[op["id"]] = body
        op.update(
            status="COMPLETED",
            completedAt=now_iso(),
            objectCount=len(lines),
            rootObjectCount=roots,
            fileSize=len(body),
            url=url if lines else None,
        )
