"""What S3 does for SP-API: pre-signed upload and download of feed, report and schema documents."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, request

from ..server import specs_dir
from . import marketplaces

bp = Blueprint("documents", __name__)


def _emulator():
    return current_app.config["EMULATOR"]


@bp.put("/_documents/<doc_id>")
def upload(doc_id: str):
    """Store the bytes of a feed document exactly as sent."""
    state = _emulator().state
    with state.lock:
        document = state.documents.get(doc_id)
        if document is None or not document.get("uploadable"):
            abort(403)
        document["content"] = request.get_data()
        document["uploadContentType"] = request.headers.get("Content-Type", "")
    return Response(status=200)


@bp.get("/_documents/<doc_id>")
def download(doc_id: str):
    state = _emulator().state
    with state.lock:
        document = state.documents.get(doc_id)
    if document is None or document.get("content") is None:
        abort(404)
    return Response(document["content"], content_type=document["contentType"])


@bp.get("/_schemas/meta-schema.json")
def meta_schema():
    path = specs_dir() / "sp-api" / "schemas" / "definitions" / "meta-schema.json"
    if not path.is_file():
        abort(404)
    return Response(path.read_bytes(), content_type="application/json")


@bp.get("/_schemas/<product_type>/<marketplace_id>.json")
def product_type_schema(product_type: str, marketplace_id: str):
    market = marketplaces.get(marketplace_id)
    schema = _emulator().schemas.get(product_type, market) if market else None
    if schema is None:
        abort(404)
    text = json.dumps(schema, ensure_ascii=False)
    return Response(text.encode("utf-8"), content_type="application/json; charset=utf-8")
