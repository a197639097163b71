"""A minimal Amazon SQS endpoint speaking the AWS JSON 1.0 protocol that boto3 uses for SQS.

Requests are `POST /` with `X-Amz-Target: AmazonSQS.<Operation>` and a JSON body; a queue is
addressed by its QueueUrl, `{base}/{account}/{name}`. Signatures are not verified, but a SigV4
`Authorization` header must be present (naming a known access key when `access_keys` is given).
Errors carry the modeled shape in `__type` and the old query code in `x-amzn-query-error`, which
is how botocore raises `client.exceptions.QueueDoesNotExist` and friends.

Test controls: POST /_sandbox/reset (queues given at creation come back empty),
GET /_sandbox/queues/<name> (every message with its receive count and visibility).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

from .queues import DEFAULT_ACCOUNT, Broker, Message, Queue, SqsError, invalid_parameter

CONTENT_TYPE = "application/x-amz-json-1.0"
_CREDENTIAL = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/")
SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
)


class SqsEmulator:
    """The broker, the queues to recreate on reset, and how this endpoint is reached."""

    def __init__(
        self,
        queues: Iterable[str],
        region: str,
        public_url: str | None,
        access_keys: Iterable[str] | None,
    ) -> None:
        self.broker = Broker(region)
        self.initial_queues = tuple(queues)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.access_keys = set(access_keys) if access_keys is not None else None
        self.reset()

    def reset(self) -> None:
        self.broker.reset()
        for name in self.initial_queues:
            self.broker.create(name)

    def base_url(self) -> str:
        return self.public_url or request.host_url.rstrip("/")

    def queue_url(self, queue: Queue) -> str:
        return f"{self.base_url()}/{queue.account}/{queue.name}"

    def queue_at(self, url: str | None) -> Queue:
        """The queue a QueueUrl names (its host is not checked: clients may use any alias)."""
        parts = [p for p in urlsplit(url or "").path.split("/") if p]
        if len(parts) != 2:
            raise SqsError(
                "QueueDoesNotExist",
                "AWS.SimpleQueueService.NonExistentQueue",
                f"The address {url!r} is not a queue URL.",
            )
        return self.broker.find(parts[0], parts[1])

    def check_authorization(self) -> None:
        found = _CREDENTIAL.match(request.headers.get("Authorization", ""))
        if found is None:
            raise SqsError(
                "MissingAuthenticationToken",
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
                403,
            )
        if self.access_keys is not None and found[1] not in self.access_keys:
            raise SqsError(
                "InvalidClientTokenId",
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                403,
            )


def _integer(body: dict, name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid_parameter(
            f"Value {value!r} for parameter {name} is invalid: "
            f"it must be an integer between {low} and {high}."
        )
    return value


def create_queue(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.broker.create(body.get("QueueName", ""), attributes=body.get("Attributes"))
    return {"QueueUrl": sqs.queue_url(queue)}


def get_queue_url(sqs: SqsEmulator, body: dict) -> dict:
    account = body.get("QueueOwnerAWSAccountId") or DEFAULT_ACCOUNT
    return {"QueueUrl": sqs.queue_url(sqs.broker.find(account, body.get("QueueName", "")))}


def get_queue_attributes(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.queue_at(body.get("QueueUrl"))
    everything = {
        **queue.attributes,
        **sqs.broker.counts(queue),
        "QueueArn": queue.arn,
        "CreatedTimestamp": str(int(queue.created_at)),
    }
    wanted = body.get("AttributeNames") or []
    if "All" in wanted:
        return {"Attributes": everything}
    unknown = [name for name in wanted if name not in everything]
    if unknown:
        raise SqsError(
            "InvalidAttributeName", "InvalidAttributeName", f"Unknown Attribute {unknown[0]}."
        )
    return {"Attributes": {name: everything[name] for name in wanted}} if wanted else {}


def send_message(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.queue_at(body.get("QueueUrl"))
    delay = _integer(body, "DelaySeconds", queue.number("DelaySeconds"), 0, 900)
    message = sqs.broker.send(queue, body.get("MessageBody") or "", delay)
    return {"MessageId": message.id, "MD5OfMessageBody": message.md5}


def receive_message(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.queue_at(body.get("QueueUrl"))
    limit = _integer(body, "MaxNumberOfMessages", 1, 1, 10)
    wait = _integer(body, "WaitTimeSeconds", queue.number("ReceiveMessageWaitTimeSeconds"), 0, 20)
    visibility = _integer(body, "VisibilityTimeout", queue.number("VisibilityTimeout"), 0, 43200)
    wanted = set(body.get("MessageSystemAttributeNames") or body.get("AttributeNames") or [])
    messages = sqs.broker.receive(queue, limit, wait, visibility)
    if not messages:
        return {}  # as SQS: no "Messages" key at all when the wait ends empty
    return {"Messages": [_shown(m, wanted) for m in messages]}


def _shown(message: Message, wanted: set[str]) -> dict:
    shown = {
        "MessageId": message.id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5,
        "Body": message.body,
    }
    values = {
        "SenderId": "AIDAEMULATOR",
        "SentTimestamp": str(int(message.sent_at * 1000)),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or 0) * 1000)),
    }
    names = SYSTEM_ATTRIBUTES if "All" in wanted else [n for n in SYSTEM_ATTRIBUTES if n in wanted]
    if names:
        shown["Attributes"] = {name: values[name] for name in names}
    return shown


def delete_message(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.queue_at(body.get("QueueUrl"))
    sqs.broker.delete(queue, body.get("ReceiptHandle") or "")
    return {}


def delete_message_batch(sqs: SqsEmulator, body: dict) -> dict:
    queue = sqs.queue_at(body.get("QueueUrl"))
    entries = body.get("Entries") or []
    if not entries:
        raise SqsError(
            "EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one DeleteMessageBatchRequestEntry.",
        )
    if len(entries) > 10:
        raise SqsError(
            "TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are 10. You have sent {len(entries)}.",
        )
    ids = [entry.get("Id") for entry in entries]
    if len(set(ids)) != len(ids):
        raise SqsError(
            "BatchEntryIdsNotDistinct",
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        )
    successful, failed = [], []
    for entry in entries:
        try:
            sqs.broker.delete(queue, entry.get("ReceiptHandle") or "")
            successful.append({"Id": entry["Id"]})
        except SqsError as err:
            failed.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": True,
                    "Code": err.query_code,
                    "Message": err.message,
                }
            )
    return {"Successful": successful, "Failed": failed}


OPERATIONS = {
    "CreateQueue": create_queue,
    "GetQueueUrl": get_queue_url,
    "GetQueueAttributes": get_queue_attributes,
    "SendMessage": send_message,
    "ReceiveMessage": receive_message,
    "DeleteMessage": delete_message,
    "DeleteMessageBatch": delete_message_batch,
}


def create_sqs(
    queues: Iterable[str] = (),
    region: str = "us-east-1",
    public_url: str | None = None,
    access_keys: Iterable[str] | None = None,
) -> Flask:
    """A Flask app emulating SQS; `queues` exist from the start (and again after a reset)."""
    sqs = SqsEmulator(queues, region, public_url, access_keys)
    app = Flask(__name__)
    app.config["SQS"] = sqs

    @app.post("/")
    def action():
        request_id = str(uuid.uuid4())
        target = request.headers.get("X-Amz-Target", "")
        operation = OPERATIONS.get(target.removeprefix("AmazonSQS."))
        try:
            sqs.check_authorization()
            if not target.startswith("AmazonSQS.") or operation is None:
                raise SqsError(
                    "UnsupportedOperation",
                    "AWS.SimpleQueueService.UnsupportedOperation",
                    f"Operation {target!r} is not supported.",
                )
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                raise SqsError(
                    "SerializationException",
                    "SerializationException",
                    "The request body is not JSON.",
                ) from None
            if not isinstance(body, dict):
                raise SqsError(
                    "SerializationException",
                    "SerializationException",
                    "The request body must be a JSON object.",
                )
            status, answer, headers = 200, operation(sqs, body), {}
        except SqsError as err:
            status = err.status
            answer = {"__type": f"com.amazonaws.sqs#{err.shape}", "message": err.message}
            headers = {"x-amzn-query-error": f"{err.query_code};Sender"}
        response = Response(json.dumps(answer), status=status, content_type=CONTENT_TYPE)
        response.headers.update({"x-amzn-RequestId": request_id, **headers})
        return response

    @app.post("/_sandbox/reset")
    def reset():
        sqs.reset()
        return jsonify(ok=True)

    @app.get("/_sandbox/queues/<name>")
    def show_queue(name: str):
        queue = sqs.broker.find(request.args.get("account", DEFAULT_ACCOUNT), name)
        now = time.time()
        with sqs.broker.changed:
            rows = [
                {
                    "id": m.id,
                    "body": m.body,
                    "receive_count": m.receive_count,
                    "visible": m.visible_at <= now,
                }
                for m in queue.messages
            ]
        return jsonify(url=sqs.queue_url(queue), arn=queue.arn, messages=rows)

    @app.errorhandler(SqsError)
    def sqs_error(err: SqsError):
        return jsonify(error=err.shape, message=err.message), err.status

    return app
