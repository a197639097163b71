"""Standard SQS queues in memory: at-least-once delivery, visibility timeouts, long polling.

What the emulator must get right for a consumer: a received message is hidden for the visibility
timeout and comes back (with a new receipt handle and a higher receive count) unless it is
deleted; a receive waits up to WaitTimeSeconds for a message to arrive; deleting with a receipt
handle of an earlier receive succeeds without deleting (as SQS documents).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

DEFAULT_ACCOUNT = "000000000000"  # the account id in queue URLs and ARNs
# Queue attributes SQS documents, with its defaults (seconds, bytes).
DEFAULT_ATTRIBUTES = {
    "VisibilityTimeout": "30",
    "MessageRetentionPeriod": "345600",
    "MaximumMessageSize": "1048576",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
}


class SqsError(Exception):
    """An SQS error answer: the modeled shape name, the query-compatible code, HTTP status."""

    def __init__(self, shape: str, query_code: str, message: str, status: int = 400):
        super().__init__(message)
        self.shape, self.query_code, self.message, self.status = shape, query_code, message, status


def no_such_queue() -> SqsError:
    return SqsError(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )


def invalid_parameter(message: str) -> SqsError:
    return SqsError("InvalidParameterValue", "InvalidParameterValue", message)


@dataclass
class Message:
    """One message and its delivery bookkeeping."""

    id: str
    body: str
    sent_at: float
    visible_at: float
    receive_count: int = 0
    first_received_at: float | None = None
    receipt_handle: str | None = None  # the latest one; earlier ones no longer delete

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body.encode("utf-8")).hexdigest()


@dataclass
class Queue:
    """One standard queue; messages in sending order (SQS gives no order guarantee either)."""

    name: str
    account: str
    region: str
    attributes: dict[str, str]
    created_at: float = field(default_factory=time.time)
    messages: list[Message] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    def number(self, name: str) -> int:
        return int(self.attributes[name])


class Broker:
    """Every queue of one emulator; one condition guards them and wakes waiting receivers."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.changed = threading.Condition()
        self.queues: dict[tuple[str, str], Queue] = {}

    def reset(self) -> None:
        with self.changed:
            self.queues.clear()
            self.changed.notify_all()

    def create(self, name: str, account: str = DEFAULT_ACCOUNT, attributes=None) -> Queue:
        """The named queue, created if missing (CreateQueue is idempotent in SQS)."""
        if not name or len(name) > 80 or not all(c.isalnum() or c in "-_" for c in name):
            raise invalid_parameter(f"Invalid queue name {name!r}.")
        with self.changed:
            queue = self.queues.get((account, name))
            if queue is None:
                merged = {**DEFAULT_ATTRIBUTES, **(attributes or {})}
                queue = self.queues[(account, name)] = Queue(name, account, self.region, merged)
            return queue

    def find(self, account: str, name: str) -> Queue:
        with self.changed:
            queue = self.queues.get((account, name))
        if queue is None:
            raise no_such_queue()
        return queue

    def send(self, queue: Queue, body: str, delay: int | None = None) -> Message:
        if not body:
            raise SqsError(
                "InvalidMessageContents",
                "InvalidMessageContents",
                "The message body must be at least one character.",
            )
        if len(body.encode("utf-8")) > queue.number("MaximumMessageSize"):
            raise invalid_parameter("The message is larger than MaximumMessageSize.")
        now = time.time()
        delay = queue.number("DelaySeconds") if delay is None else delay
        message = Message(str(uuid.uuid4()), body, now, now + delay)
        with self.changed:
            queue.messages.append(message)
            self.changed.notify_all()
        return message

    def receive(self, queue: Queue, limit: int, wait: float, visibility: int) -> list[Message]:
        """Up to `limit` visible messages, waiting up to `wait` seconds for the first one."""
        deadline = time.time() + wait
        with self.changed:
            while True:
                now = time.time()
                self._expire(queue, now)
                taken = [m for m in queue.messages if m.visible_at <= now][:limit]
                if taken or now >= deadline:
                    break
                upcoming = [m.visible_at for m in queue.messages if m.visible_at > now]
                self.changed.wait(min([deadline, *upcoming]) - now)
            for message in taken:
                message.receive_count += 1
                message.first_received_at = message.first_received_at or now
                message.receipt_handle = f"{message.id}#{secrets.token_urlsafe(24)}"
                message.visible_at = now + visibility
            return taken

    def delete(self, queue: Queue, receipt_handle: str) -> None:
        """Delete by receipt handle; a stale handle of a message received again deletes nothing."""
        message_id = receipt_handle.split("#", 1)[0] if "#" in receipt_handle else ""
        if not message_id:
            raise SqsError(
                "ReceiptHandleIsInvalid",
                "ReceiptHandleIsInvalid",
                f'The input receipt handle "{receipt_handle}" is not a valid receipt handle.',
            )
        with self.changed:
            queue.messages = [
                m
                for m in queue.messages
                if m.id != message_id or m.receipt_handle != receipt_handle
            ]

    def _expire(self, queue: Queue, now: float) -> None:
        keep = now - queue.number("MessageRetentionPeriod")
        queue.messages = [m for m in queue.messages if m.sent_at >= keep]

    def counts(self, queue: Queue) -> dict[str, str]:
        """The approximate counts GetQueueAttributes reports."""
        now = time.time()
        with self.changed:
            visible = sum(1 for m in queue.messages if m.visible_at <= now)
            delayed = sum(1 for m in queue.messages if m.receive_count == 0 and m.visible_at > now)
            in_flight = len(queue.messages) - visible - delayed
        return {
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
        }
