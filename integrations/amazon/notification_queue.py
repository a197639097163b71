"""The SQS queue Amazon delivers notifications to, read and emptied through boto3.

SQS delivers at least once: a message received and not deleted within its visibility timeout
comes back, so whatever handles a message must be idempotent. One boto3 client per process and
queue settings (building one takes tens of milliseconds; a client is safe across threads).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger("crossport.amazon")
MAX_PER_RECEIVE = 10  # SQS's limit for one ReceiveMessage and one DeleteMessageBatch


class QueueUnavailable(Exception):
    """SQS could not be read or written (network, credentials, a missing queue); retry later."""


@dataclass(frozen=True)
class QueueMessage:
    """One received message: its body and the receipt handle that deletes it."""

    message_id: str
    body: str
    receipt_handle: str = field(repr=False)
    receive_count: int = 1


@functools.lru_cache(maxsize=8)
def _client(endpoint_url: str, region: str, key_id: str, secret: str, wait_seconds: int):
    config = Config(
        connect_timeout=5,
        read_timeout=wait_seconds + 10,  # a long poll holds the answer back for wait_seconds
        retries={"mode": "standard", "max_attempts": 3},
    )
    return boto3.session.Session().client(
        "sqs",
        endpoint_url=endpoint_url or None,
        region_name=region,
        aws_access_key_id=key_id or None,
        aws_secret_access_key=secret or None,
        config=config,
    )


class NotificationQueue:
    """Receive and delete the messages of one SQS queue."""

    def __init__(self, queue_url: str, *, region: str, endpoint_url: str = "",
                 access_key_id: str = "", secret_access_key: str = "",
                 max_wait_seconds: int = 20) -> None:  # fmt: skip
        self.url = queue_url
        self._sqs = _client(endpoint_url, region, access_key_id, secret_access_key,
                            max_wait_seconds)  # fmt: skip

    @classmethod
    def from_settings(cls, settings) -> NotificationQueue:
        return cls(settings.sqs_queue_url, region=settings.aws_region,
                   endpoint_url=settings.sqs_endpoint_url,
                   access_key_id=settings.aws_access_key_id,
                   secret_access_key=settings.aws_secret_access_key,
                   max_wait_seconds=settings.sqs_wait_seconds)  # fmt: skip

    def receive(self, wait_seconds: int, visibility_seconds: int) -> list[QueueMessage]:
        """Up to ten messages, waiting up to `wait_seconds` for the first (long polling); they
        stay hidden from other readers for `visibility_seconds` unless deleted."""
        try:
            answer = self._sqs.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=MAX_PER_RECEIVE,
                WaitTimeSeconds=wait_seconds,
                VisibilityTimeout=visibility_seconds,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except (BotoCoreError, ClientError) as exc:
            raise QueueUnavailable(f"could not read SQS queue {self.url}: {exc}") from exc
        return [
            QueueMessage(
                message_id=raw["MessageId"],
                body=raw.get("Body", ""),
                receipt_handle=raw["ReceiptHandle"],
                receive_count=int((raw.get("Attributes") or {}).get("ApproximateReceiveCount", 1)),
            )
            for raw in answer.get("Messages", [])
        ]

    def delete(self, messages: list[QueueMessage]) -> list[str]:
        """Delete handled messages; returns the ids SQS did not delete (they will come back)."""
        undeleted: list[str] = []
        for start in range(0, len(messages), MAX_PER_RECEIVE):
            batch = messages[start : start + MAX_PER_RECEIVE]
            entries = [{"Id": str(n), "ReceiptHandle": m.receipt_handle}
                       for n, m in enumerate(batch)]  # fmt: skip
            try:
                answer = self._sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
            except (BotoCoreError, ClientError) as exc:
                raise QueueUnavailable(f"could not delete from SQS {self.url}: {exc}") from exc
            for failure in answer.get("Failed", []):
                message = batch[int(failure["Id"])]
                undeleted.append(message.message_id)
                log.warning("SQS kept message %s: %s", message.message_id, failure.get("Code"))
        return undeleted
