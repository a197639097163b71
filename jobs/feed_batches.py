"""Split listings-feed messages into feeds within Amazon's limits (25,000 messages, 10 MiB)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_MESSAGES = 25_000
MAX_BYTES = 10 * 1024 * 1024  # Amazon advises feeds under 10 MiB
HEADER_ALLOWANCE = 1024


@dataclass
class FeedBatch:
    messages: list[dict] = field(default_factory=list)
    payloads: list[dict] = field(default_factory=list)
    size: int = HEADER_ALLOWANCE

    def message_skus(self) -> dict[str, str]:
        return {str(m["messageId"]): m["sku"] for m in self.messages}


class FeedBatcher:
    """Accumulates messages in order (parents first) and cuts a new feed at either limit."""

    def __init__(
        self, seller_id: str, max_messages: int = MAX_MESSAGES, max_bytes: int = MAX_BYTES
    ):
        self.seller_id = seller_id
        self.max_messages, self.max_bytes = max_messages, max_bytes
        self.finished: list[FeedBatch] = []
        self.current = FeedBatch()

    def add(self, message: dict, payload: dict) -> None:
        size = len(json.dumps(message, ensure_ascii=False).encode()) + 1
        if self.current.messages and (
            len(self.current.messages) >= self.max_messages
            or self.current.size + size > self.max_bytes
        ):
            self._cut()
        message = {**message, "messageId": len(self.current.messages) + 1}
        self.current.messages.append(message)
        self.current.payloads.append(payload)
        self.current.size += size

    def _cut(self) -> None:
        self.finished.append(self.current)
        self.current = FeedBatch()

    def batches(self) -> list[FeedBatch]:
        if self.current.messages:
            self._cut()
        return self.finished
