"""Connecting Amazon seller accounts: authorize, callback, and choosing target marketplaces."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template_string, request

from core.db import db
from core.models import AmazonAccount, TargetMarketplace
from integrations.amazon import auth
from jobs.notifications import request_subscription
from jobs.tenants import disconnect_amazon_account
from jobs.accounts import request_unsubscription
from web.auth import require_shop

bp = Blueprint("amazon_connect", __name__)

_RESULT_PAGE = """<!doctype html><meta charset="utf-8"><title>Amazon</title>
<h1>{{ title }}</h1><p>{{ message }}</p><p>You can close this window.</p>"""


@bp.route("/amazon/authorize", methods=["GET", "POST"])
@require_shop("admin")
def authorize():
    """Send the seller to Seller Central's consent page for one region (NA, EU or FE)."""
    region = (request.values.get("region") or "").upper()
    if region not in auth.REGIONS:
        return jsonify(error="bad_region", message="region must be NA, EU or FE"), 400
    url = auth.consent_url(g.shop_id, region)
    # a JSON call from the embedded page gets the URL (the page opens it at top level, since
    # Seller Central refuses to be framed); a plain navigation is redirected
    if request.method == "POST" or request.headers.get("Authorization"):
        return jsonify(url=url)
    return redirect(url, code=302)


@bp.get("/amazon/callback")
def callback():
    """Amazon's redirect after consent: the state identifies the tenant (single use)."""
    try:
        account, replaced = auth.complete(request.args.get("state", ""),
                                request.args.get("spapi_oauth_code", ""),
                                request.args.get("selling_partner_id", ""))  # fmt: skip
    except auth.AuthorizationRefused as refused:
        page = render_template_string(
            _RESULT_PAGE, title="Amazon was not connected", message=str(refused)
        )
        return page, 400
    if replaced is not None:  # the previous seller's orders are no business of this shop now
        request_unsubscription(account, replaced.seller_id, replaced.subscription_id)
    if current_app.config["SETTINGS"].notifications_active:
        # ORDER_CHANGE brings its orders in seconds; the hourly sweep retries a failed attempt
        request_subscription(account.id, account.shop_id)
    count = len(account.marketplaces)
    page = render_template_string(
        _RESULT_PAGE, title="Amazon connected",
        message=f"Region {account.region}: {count} marketplaces found. Choose where to sell "
                "in Crossport.")  # fmt: skip
    return page, 200


@bp.get("/amazon/accounts")
@require_shop("viewer")
def accounts():
    """The shop's Amazon accounts and their marketplaces (currency and language from Amazon)."""
    rows = db.session.query(AmazonAccount).filter_by(shop_id=g.shop_id).all()
    return jsonify(accounts=[_account_view(a) for a in rows])


def _account_view(a: AmazonAccount) -> dict:
    return {
        "id": a.id, "region": a.region, "selling_partner_id": a.selling_partner_id,
        "status": a.status, "status_reason": a.status_reason,
        "disconnected_at": a.disconnected_at.isoformat() + "Z" if a.disconnected_at else None,
        "disconnected_by": a.disconnected_by,
        "marketplaces": [{"marketplace_id": m.marketplace_id, "country_code": m.country_code,
                          "name": m.name, "currency": m.currency, "language": m.language,
                          "enabled": m.enabled, "paused": m.paused,
                          "participating": m.participating}
                         for m in a.marketplaces],
    }  # fmt: skip


@bp.post("/amazon/accounts/<int:account_id>/disconnect")
@require_shop("admin")
def disconnect(account_id: int):
    """Disconnect one of the shop's accounts (token erased, its work stopped, Amazon asked to
    stop notifying); asking again answers the same, with "changed": false."""
    account = (
        db.session.query(AmazonAccount).filter_by(id=account_id, shop_id=g.shop_id).one_or_none()
    )
    if account is None:  # another shop's id looks exactly like one that does not exist
        return jsonify(error="not_found", message=f"no Amazon account {account_id} here"), 404
    user = g.user
    changed = disconnect_amazon_account(
        account.id, by=user.name or user.email or user.platform_user_id
    )
    return jsonify(account=_account_view(account), changed=changed)


@bp.post("/amazon/marketplaces")
@require_shop("admin")
def choose_marketplaces():
    """Enable or disable target marketplaces: {"marketplace_ids": [...], "enabled": true}."""
    body = request.get_json(silent=True) or {}
    ids = body.get("marketplace_ids", []) if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return jsonify(
            error="invalid", message="marketplace_ids must be a list of marketplace ids (text)"
        ), 400
    if not isinstance(body.get("enabled", True), bool):
        return jsonify(error="invalid", message="enabled must be true or false"), 400
    rows = (
        db.session.query(TargetMarketplace)
        .filter(TargetMarketplace.shop_id == g.shop_id, TargetMarketplace.marketplace_id.in_(ids))
        .all()
    )
    for row in rows:
        row.enabled = body.get("enabled", True)
    db.session.commit()
    return jsonify(updated=sorted(r.marketplace_id for r in rows))
