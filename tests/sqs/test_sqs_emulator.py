"""The SQS emulator answers boto3's real client (AWS JSON 1.0) as SQS does: long polling,
visibility timeouts, receipt handles, batch deletes, modeled errors."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests

from sandbox.server import serve_in_thread
from sandbox.sqs import create_sqs
from tests.support.servers import free_port

QUEUE = "orders-test"


@pytest.fixture(scope="module")
def sqs_server():
    server = serve_in_thread(create_sqs([QUEUE]))
    yield server
    server.stop()


@pytest.fixture
def sqs(sqs_server):
    requests.post(f"{sqs_server.url}/_sandbox/reset", timeout=5).raise_for_status()
    client = boto3.session.Session().client(
        "sqs",
        endpoint_url=sqs_server.url,
        region_name="eu-west-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="test-secret",
    )
    client.queue_url = client.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    return client


def test_a_sent_message_is_received_with_its_md5_and_deleted_for_good(sqs):
    body = '{"hello": "Grüße"}'
    sent = sqs.send_message(QueueUrl=sqs.queue_url, MessageBody=body)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode("utf-8")).hexdigest()
    (message,) = sqs.receive_message(QueueUrl=sqs.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert message["Body"] == '{"hello": "Grüße"}'
    assert message["MessageId"] == sent["MessageId"]
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    sqs.delete_message(QueueUrl=sqs.queue_url, ReceiptHandle=message["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=sqs.queue_url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert counts["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{QUEUE}"


def test_a_long_poll_returns_as_soon_as_a_message_arrives(sqs):
    threading.Timer(
        0.5, lambda: sqs.send_message(QueueUrl=sqs.queue_url, MessageBody="late")
    ).start()
    started = time.monotonic()
    answer = sqs.receive_message(QueueUrl=sqs.queue_url, WaitTimeSeconds=5)
    elapsed = time.monotonic() - started
    assert [m["Body"] for m in answer["Messages"]] == ["late"]
    assert 0.4 < elapsed < 3, elapsed


def test_an_empty_long_poll_waits_its_time_and_has_no_messages_key(sqs):
    started = time.monotonic()
    answer = sqs.receive_message(QueueUrl=sqs.queue_url, WaitTimeSeconds=1)
    assert "Messages" not in answer
    assert time.monotonic() - started >= 0.95


def test_an_undeleted_message_comes_back_after_its_visibility_timeout(sqs):
    sqs.send_message(QueueUrl=sqs.queue_url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=sqs.queue_url, VisibilityTimeout=1)["Messages"][0]
    # hidden while another reader may be handling it
    assert "Messages" not in sqs.receive_message(QueueUrl=sqs.queue_url)
    time.sleep(1.1)
    second = sqs.receive_message(
        QueueUrl=sqs.queue_url, MessageSystemAttributeNames=["ApproximateReceiveCount"]
    )["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"] == {"ApproximateReceiveCount": "2"}
    # the first receipt handle is stale: SQS accepts the delete but keeps the message
    sqs.delete_message(QueueUrl=sqs.queue_url, ReceiptHandle=first["ReceiptHandle"])
    assert _messages(sqs) == 1
    sqs.delete_message(QueueUrl=sqs.queue_url, ReceiptHandle=second["ReceiptHandle"])
    assert _messages(sqs) == 0


def test_a_batch_delete_reports_each_entry(sqs):
    for n in range(3):
        sqs.send_message(QueueUrl=sqs.queue_url, MessageBody=f"m{n}")
    messages = sqs.receive_message(QueueUrl=sqs.queue_url, MaxNumberOfMessages=10)["Messages"]
    entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
    entries.append({"Id": "bad", "ReceiptHandle": "not-a-handle"})
    answer = sqs.delete_message_batch(QueueUrl=sqs.queue_url, Entries=entries)
    assert sorted(e["Id"] for e in answer["Successful"]) == ["0", "1", "2"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in answer["Failed"]] == [
        ("bad", "ReceiptHandleIsInvalid", True)
    ]
    assert _messages(sqs) == 0
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.delete_message_batch(QueueUrl=sqs.queue_url, Entries=[entries[0], entries[0]])


def test_errors_are_the_modeled_exceptions_boto3_raises(sqs, sqs_server):
    missing = f"{sqs_server.url}/000000000000/no-such-queue"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.receive_message(QueueUrl=missing)
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(sqs.exceptions.ClientError, match="MaxNumberOfMessages"):
        sqs.receive_message(QueueUrl=sqs.queue_url, MaxNumberOfMessages=11)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="no-such-queue")


def test_a_request_without_a_signature_is_refused(sqs_server, sqs):
    answer = requests.post(
        sqs_server.url + "/",
        timeout=5,
        headers={"X-Amz-Target": "AmazonSQS.ReceiveMessage"},
        json={"QueueUrl": sqs.queue_url},
    )
    assert answer.status_code == 403
    assert answer.json()["__type"].endswith("#MissingAuthenticationToken")


def test_a_created_queue_is_addressed_by_its_url(sqs):
    url = sqs.create_queue(QueueName="second")["QueueUrl"]
    assert url.endswith("/000000000000/second")
    assert sqs.create_queue(QueueName="second")["QueueUrl"] == url  # idempotent, as in SQS
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert _messages(sqs, url) == 1
    assert _messages(sqs) == 0


def test_the_emulator_runs_as_a_process():
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.sqs", "--port", str(port), "--queue", "demo"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = boto3.session.Session().client(
            "sqs",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                url = client.get_queue_url(QueueName="demo")["QueueUrl"]
                break
            except Exception:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert url == f"http://127.0.0.1:{port}/000000000000/demo"
    finally:
        process.terminate()
        process.wait(10)


def _messages(sqs, url: str | None = None) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url or sqs.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())
