"""Feeds: JSON_LISTINGS_FEED documents uploaded as UTF-8 bytes, submitted, polled, reported.

The library's own upload encodes text as ISO-8859-1, which breaks Japanese and many other
languages (PLATFORMS.md, traps), so documents are encoded and uploaded here.
"""

from __future__ import annotations

import json

from sp_api.api import Feeds

from . import documents
from .client import SpApiClient

VERSION = "2021-06-30"
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
FINAL_STATUSES = {"DONE", "FATAL", "CANCELLED"}


def listings_feed(seller_id: str, messages: list[dict], *, issue_locale: str | None = None,
                  included_data: list[str] | None = None) -> dict:  # fmt: skip
    """A JSON_LISTINGS_FEED document (header + messages, schema v2)."""
    header: dict = {"sellerId": seller_id, "version": "2.0"}
    if issue_locale:
        header["issueLocale"] = issue_locale
    if included_data:
        header["report"] = {"includedData": included_data, "apiVersion": "2021-08-01"}
    return {"header": header, "messages": messages}


def encode_document(document: dict) -> bytes:
    """UTF-8 JSON bytes, characters kept as they are (no \\u escapes needed)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def submit_listings_feed(client: SpApiClient, marketplace_ids: list[str], document: dict, *,
                         retry_throttled: bool = True) -> str:  # fmt: skip
    """Create a feed document, upload it, create the feed; returns the feed id.

    `retry_throttled=False`: a 429 on createFeed raises AmazonThrottled at once (see
    SpApiClient.call); the caller knows whether it means the region's feed window."""
    anchor = marketplace_ids[0]
    api = client.api(Feeds, anchor, version=VERSION)
    created = client.call("createFeedDocument",
                          lambda: api.create_feed_document(None, JSON_CONTENT_TYPE),
                          marketplace_id=anchor).payload  # fmt: skip
    documents.transfer(
        client,
        "uploadFeedDocument",
        "PUT",
        created["url"],
        data=encode_document(document),
        headers={"Content-Type": JSON_CONTENT_TYPE},
    )
    feed = client.call("createFeed", lambda: api.create_feed(
        "JSON_LISTINGS_FEED", created["feedDocumentId"], marketplaceIds=list(marketplace_ids)),
        marketplace_id=anchor, retry_throttled=retry_throttled).payload  # fmt: skip
    return str(feed["feedId"])


def get_feed(client: SpApiClient, marketplace_id: str, feed_id: str) -> dict:
    """The feed's processing status (IN_QUEUE, IN_PROGRESS, DONE, FATAL, CANCELLED)."""
    api = client.api(Feeds, marketplace_id, version=VERSION)
    return dict(client.call("getFeed", lambda: api.get_feed(feed_id),
                            marketplace_id=marketplace_id).payload)  # fmt: skip


def download_report(client: SpApiClient, marketplace_id: str, document_id: str) -> dict:
    """The processing report of a finished feed, decoded as UTF-8 JSON."""
    api = client.api(Feeds, marketplace_id, version=VERSION)
    # Not api.get_feed_document: it downloads by itself and guesses the text encoding.
    path = f"/feeds/{VERSION}/documents/{document_id}"
    info = client.call("getFeedDocument", lambda: api._request(path, params={},
                                                               add_marketplace=False),
                       marketplace_id=marketplace_id).payload  # fmt: skip
    content = documents.download(client, "downloadFeedDocument", info)
    return documents.decode_json(content, f"feed document {document_id}")
