"""Routes of the WooCommerce key flow: start connecting, take the keys, land the browser."""

from __future__ import annotations

import logging
from html import escape

from flask import Blueprint, redirect, request

from integrations.woocommerce.keyflow import (
    CallbackRefused,
    complete_callback,
    return_target,
    start_connect,
)
from integrations.woocommerce.urlcheck import UnsafeStoreUrl

log = logging.getLogger("crossport.woocommerce")
bp = Blueprint("woocommerce_connect", __name__)


def _message(title: str, text: str, status: int):
    page = (
        f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>"
    )
    return page, status, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/woocommerce/connect")
def connect():
    """Check the store URL, then send the browser to the store's approve page."""
    try:
        return redirect(start_connect(request.args.get("store_url", "")))
    except UnsafeStoreUrl as exc:
        return _message("This store cannot be connected", str(exc), 400)


@bp.post("/woocommerce/callback")
def callback():
    """WooCommerce posts the new keys here; 200 only once everything is in place."""
    try:
        shop = complete_callback(request.get_data(cache=False))
    except CallbackRefused as exc:
        log.warning("woocommerce key callback refused: %s", exc)
        return {"error": str(exc)}, exc.status
    log.info("woocommerce store connected", extra={"shop_id": shop.id})
    from jobs.catalog import request_catalogue_import

    # the catalogue is read right away, so the products page fills while the seller onboards
    request_catalogue_import(shop.id)
    return {"ok": True}, 200


@bp.get("/woocommerce/return")
def returned():
    """Where the approve page sends the browser (success=1|0, user_id=our nonce)."""
    target = return_target(request.args.get("user_id", ""), request.args.get("success") == "1")
    if target is None:
        return _message(
            "Not connected",
            "The store was not connected. Start again from WooCommerce → Crossport.",
            400,
        )
    return redirect(target)
