"""Documents behind presigned URLs (feed reports, report documents), read through the one helper
that both the Feeds and the Reports code use: recorded in the API log, gunzipped when Amazon says
GZIP, and refused with the document's name when the bytes are not what Amazon said."""

from __future__ import annotations

import gzip
import json

import pytest
from sp_api.api import Reports

from core.db import db
from core.models import ApiCall
from integrations.amazon import documents, reports
from integrations.amazon.documents import DocumentFormatError

from .conftest import EU_DE
from .test_reports import _finished_report, _place


def _document_info(emulator, seller, client) -> dict:
    """What getReportDocument answers for a finished seller performance report."""
    _place(emulator, seller)
    report = _finished_report(client, EU_DE)
    api = client.api(Reports, EU_DE, version=reports.VERSION)
    return dict(client.call("getReportDocument",
                            lambda: api.get_report_document(report["reportDocumentId"]),
                            marketplace_id=EU_DE).payload)  # fmt: skip


def test_a_plain_document_is_downloaded_and_recorded(emulator, seller, eu_client):
    info = _document_info(emulator, seller, eu_client)
    assert "compressionAlgorithm" not in info
    content = documents.download(eu_client, "downloadReportDocument", info,
                                 marketplace_id=EU_DE)  # fmt: skip
    document = documents.decode_json(content, "the report")
    assert document["performanceMetrics"][0]["marketplaceId"] == EU_DE
    (logged,) = db.session.query(ApiCall).filter_by(operation="downloadReportDocument").all()
    assert (logged.method, logged.status_code, logged.marketplace_id) == ("GET", 200, EU_DE)
    assert "?" not in logged.url_path  # a presigned URL's signature is never logged


def test_a_gzip_document_is_decompressed(emulator, seller, eu_client):
    emulator.control("POST", "options", json={"gzip_reports": True})
    info = _document_info(emulator, seller, eu_client)
    assert info["compressionAlgorithm"] == "GZIP"
    content = documents.download(eu_client, "downloadReportDocument", info)
    assert json.loads(content)["performanceMetrics"][0]["marketplaceId"] == EU_DE


def test_a_document_said_to_be_gzip_that_is_not_is_refused_by_name(emulator, seller, eu_client):
    # given Amazon's answer claims GZIP for bytes served plain
    info = _document_info(emulator, seller, eu_client) | {"compressionAlgorithm": "GZIP"}
    with pytest.raises(DocumentFormatError, match=rf"document {info['reportDocumentId']} is "
                                                  "said to be GZIP but is not"):  # fmt: skip
        documents.download(eu_client, "downloadReportDocument", info)


def test_an_unknown_compression_is_refused_rather_than_read_as_plain(emulator, seller, eu_client):
    info = _document_info(emulator, seller, eu_client) | {"compressionAlgorithm": "ZSTD"}
    with pytest.raises(DocumentFormatError, match="compressionAlgorithm 'ZSTD' is not GZIP"):
        documents.download(eu_client, "downloadReportDocument", info)


def test_decoding_says_which_document_is_not_utf8_json():
    assert documents.decode_json('{"a": "é"}'.encode(), "feed document 7") == {"a": "é"}
    with pytest.raises(DocumentFormatError, match="feed document 7 is not UTF-8 JSON"):
        documents.decode_json("é".encode("latin-1"), "feed document 7")
    with pytest.raises(DocumentFormatError, match="feed document 8 is not UTF-8 JSON"):
        documents.decode_json(gzip.compress(b"{}"), "feed document 8")
