"""Feeds 2021-06-30: documents, feeds, and their processing in the background of time."""

from __future__ import annotations

import json
import time
import uuid

from . import feed_processing
from .dispatch import ApiError, Call
from .state import iso, utcnow

FINAL = {"DONE", "FATAL", "CANCELLED"}
# JSON_LISTINGS_FEED submissions a seller may make per region in any 5 minutes (since May 2025,
# PLATFORMS.md), on top of createFeed's token bucket; Amazon answers 429 past it.
FEEDS_PER_WINDOW, FEED_WINDOW_SECONDS = 5, 300.0


def create_feed_document(em, call: Call):
    doc_id = f"amzn1.tortuga.4.{(call.region or 'na').lower()}.{uuid.uuid4()}"
    em.state.documents[doc_id] = {"seller": call.seller, "content": None, "uploadable": True,
                                  "contentType": call.body["contentType"]}  # fmt: skip
    return 201, {"feedDocumentId": doc_id, "url": f"{call.base_url}/_documents/{doc_id}"}


def create_feed(em, call: Call):
    body = call.body
    if body["feedType"] != "JSON_LISTINGS_FEED":
        raise ApiError(400, "InvalidInput", f"The emulator processes JSON_LISTINGS_FEED only, "
                                            f"not {body['feedType']}.")  # fmt: skip
    document = em.state.documents.get(body["inputFeedDocumentId"])
    if document is None or document["seller"] != call.seller:
        raise ApiError(400, "InvalidInput", "Unknown inputFeedDocumentId.")
    options = em.state.options
    now = time.time()
    since = now - em.state.scaled(FEED_WINDOW_SECONDS)
    recent = [f for f in em.state.feeds.values() if f["seller"] == call.seller
              and f["region"] == call.region and f["created"] > since]  # fmt: skip
    if len(recent) >= FEEDS_PER_WINDOW:
        raise ApiError(429, "QuotaExceeded",
                       f"At most {FEEDS_PER_WINDOW} JSON_LISTINGS_FEED submissions per 5 minutes "
                       "per region.")  # fmt: skip
    previous = [f["end"] for f in em.state.feeds.values() if f["seller"] == call.seller]
    # a seller's feeds are processed one after another
    start = max([now + em.state.scaled(options.feed_queue_seconds), *previous])
    feed_id = str(50000 + len(em.state.feeds) + 1)
    em.state.feeds[feed_id] = {
        "feedId": feed_id, "seller": call.seller, "feedType": body["feedType"],
        "marketplaceIds": body["marketplaceIds"], "createdTime": iso(utcnow()),
        "inputFeedDocumentId": body["inputFeedDocumentId"], "processingStatus": "IN_QUEUE",
        "start": start, "end": start + em.state.scaled(options.feed_processing_seconds),
        "region": call.region, "created": now,
    }  # fmt: skip
    return 202, {"feedId": feed_id}


def advance(em) -> None:
    """Move feeds along their timeline; a finished feed is processed exactly once."""
    now = time.time()
    for feed in sorted(em.state.feeds.values(), key=lambda f: f["start"]):
        if feed["processingStatus"] in FINAL:
            continue
        if now >= feed["end"]:
            content = em.state.documents[feed["inputFeedDocumentId"]]["content"]
            status, report = feed_processing.process(em, feed, content)
            result_id = f"amzn1.tortuga.4.na.result.{feed['feedId']}"
            em.state.documents[result_id] = {
                "seller": feed["seller"], "uploadable": False,
                "content": json.dumps(report, ensure_ascii=False).encode("utf-8"),
                "contentType": "application/json; charset=UTF-8",
            }  # fmt: skip
            feed.update(
                processingStatus=status,
                resultFeedDocumentId=result_id,
                processingEndTime=iso(utcnow()),
            )
        elif now >= feed["start"]:
            feed["processingStatus"] = "IN_PROGRESS"
            feed.setdefault("processingStartTime", iso(utcnow()))


def _public(feed: dict) -> dict:
    keys = (
        "feedId",
        "feedType",
        "marketplaceIds",
        "createdTime",
        "processingStatus",
        "processingStartTime",
        "processingEndTime",
        "resultFeedDocumentId",
    )
    return {k: feed[k] for k in keys if k in feed}


def _own_feed(em, call: Call) -> dict:
    feed = em.state.feeds.get(call.path["feedId"])
    if feed is None or feed["seller"] != call.seller:
        raise ApiError(404, "NotFound", f"Feed {call.path['feedId']} not found.")
    return feed


def get_feed(em, call: Call):
    advance(em)
    return 200, _public(_own_feed(em, call))


def get_feeds(em, call: Call):
    advance(em)
    types = call.query.get("feedTypes")
    if not types and not call.query.get("nextToken"):
        raise ApiError(400, "InvalidInput", "feedTypes is required.")
    statuses = call.query.get("processingStatuses")
    feeds = [
        _public(f) for f in em.state.feeds.values()
        if f["seller"] == call.seller and (not types or f["feedType"] in types)
        and (not statuses or f["processingStatus"] in statuses)
    ]  # fmt: skip
    return 200, {"feeds": feeds[: int(call.query.get("pageSize") or 10)]}


def cancel_feed(em, call: Call):
    advance(em)
    feed = _own_feed(em, call)
    if feed["processingStatus"] != "IN_QUEUE":
        raise ApiError(400, "InvalidInput", "Only a feed that is IN_QUEUE can be cancelled.")
    feed["processingStatus"] = "CANCELLED"
    return 200, None


def get_feed_document(em, call: Call):
    advance(em)
    doc_id = call.path["feedDocumentId"]
    document = em.state.documents.get(doc_id)
    if document is None or document["seller"] != call.seller:
        raise ApiError(404, "NotFound", f"Feed document {doc_id} not found.")
    return 200, {"feedDocumentId": doc_id, "url": f"{call.base_url}/_documents/{doc_id}"}


HANDLERS = {
    "createFeedDocument": create_feed_document,
    "createFeed": create_feed,
    "getFeed": get_feed,
    "getFeeds": get_feeds,
    "cancelFeed": cancel_feed,
    "getFeedDocument": get_feed_document,
}
