"""An SQS emulator queue for the tests, read and written with boto3's real client."""

from __future__ import annotations

import json
import time

import boto3
import requests

from core.settings import sqs_queue_arn


class SqsQueue:
    """One queue of a running SQS emulator (reset on creation)."""

    def __init__(self, base_url: str, name: str) -> None:
        requests.post(f"{base_url}/_sandbox/reset", timeout=5).raise_for_status()
        self.base_url = base_url
        self.url = f"{base_url}/000000000000/{name}"
        self.arn = sqs_queue_arn(self.url, "us-east-1")
        self.client = boto3.session.Session().client(
            "sqs",
            endpoint_url=base_url,
            region_name="us-east-1",
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key="test-secret",
        )

    def settings(self) -> dict:
        """Crossport's settings for reading this queue."""
        return {
            "sqs_queue_url": self.url,
            "sqs_endpoint_url": self.base_url,
            "aws_region": "us-east-1",
            "aws_access_key_id": "AKIDTEST",
            "aws_secret_access_key": "test-secret",
        }

    def send(self, body: str) -> str:
        return self.client.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"]

    def take(self, count: int, timeout: float = 10) -> list[dict]:
        """Receive and delete `count` messages (their JSON bodies), waiting up to `timeout`."""
        found: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            answer = self.client.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            for message in answer.get("Messages", []):
                found.append(json.loads(message["Body"]))
                self.client.delete_message(
                    QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"]
                )
        return found

    def waiting(self) -> list[dict]:
        """Every message still in the queue, in flight or not (the emulator's control view)."""
        name = self.url.rsplit("/", 1)[1]
        answer = requests.get(f"{self.base_url}/_sandbox/queues/{name}", timeout=5)
        answer.raise_for_status()
        return answer.json()["messages"]
