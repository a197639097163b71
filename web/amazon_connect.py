"""Connecting Amazon seller accounts: authorize, callback, and choosing target marketplaces.

The consent is bound to the browser that starts it: the page (in the store admin's frame, with
its token in a header) gets a start ticket from /amazon/authorize and posts it from a top-level
window of this site to /amazon/connect, which sets the browser cookie first-party and sends the
seller to Seller Central; /amazon/callback completes only with that cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template_string, request

from core.browser_binding import clear_browser_cookie, new_browser_secret, set_browser_cookie
from core.db import db
from core.models import AmazonAccount, Shop, TargetMarketplace
from integrations.amazon import auth
from jobs.accounts import request_unsubscription
from jobs.notifications import request_subscription
from jobs.tenants import disconnect_amazon_account
from web.auth import require_shop

bp = Blueprint("amazon_connect", __name__)

COOKIE = "crossport_amazon_state"
COOKIE_PATH = "/amazon"

_RESULT_PAGE = """<!doctype html><meta charset="utf-8"><title>Amazon</title>
<h1>{{ title }}</h1><p>{{ message }}</p>
{% if seller %}<dl><dt>Amazon seller (selling partner id)</dt><dd id="selling-partner-id">{{ seller
}}</dd><dt>Store</dt><dd id="store">{{ store }}</dd><dt>Region</dt><dd>{{ region }}</dd></dl>
{% endif %}<p>You can close this window.</p>"""


def _page(title: str, message: str, status: int, **seller):
    values = {"seller": "", "store": "", "region": "", **seller}
    page = render_template_string(_RESULT_PAGE, title=title, message=message, **values)
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.post("/amazon/authorize")
@require_shop("admin")
def authorize():
    """Start connecting one region (NA, EU or FE): a single-use ticket, which the page posts to
    `start_url` from a top-level window (Seller Central refuses to be framed)."""
    region = (request.values.get("region") or "").upper()
    if region not in auth.REGIONS:
        return jsonify(error="bad_region", message="region must be NA, EU or FE"), 400
    ticket = auth.start_ticket(g.shop_id, region)
    return jsonify(start_url="/amazon/connect", ticket=ticket, region=region)


def _from_our_pages() -> bool:
    """A form post from a page of this site: the browser says so in Origin, which another
    site's page cannot forge (a link or form elsewhere cannot start a consent here)."""
    public = urlsplit(current_app.config["SETTINGS"].public_url)
    return request.headers.get("Origin", "") == f"{public.scheme}://{public.netloc}"


@bp.post("/amazon/connect")
def connect():
    """The top-level window's form post of a start ticket: binds a fresh state to this browser
    with a cookie and sends the seller to Seller Central's consent page."""
    if not _from_our_pages():
        return _page("Amazon was not connected",
                     "Start connecting Amazon from Crossport's onboarding page.", 403)  # fmt: skip
    try:
        shop_id, region = auth.claim_start_ticket(request.form.get("ticket", ""))
    except auth.AuthorizationRefused as refused:
        return _page("Amazon was not connected", str(refused), 400)
    secret, digest = new_browser_secret()
    response = redirect(auth.consent_url(shop_id, region, browser=digest), code=303)
    secure = current_app.config["SETTINGS"].public_url.startswith("https")
    lifetime = int(auth.STATE_LIFETIME.total_seconds())
    set_browser_cookie(response, COOKIE, secret, path=COOKIE_PATH, max_age=lifetime, secure=secure)
    return response


@bp.get("/amazon/callback")
def callback():
    """Amazon's redirect after consent: the state identifies the tenant (single use) and must
    come back to the browser that started it."""
    try:
        account, replaced = auth.complete(request.args.get("state", ""),
                                request.args.get("spapi_oauth_code", ""),
                                request.args.get("selling_partner_id", ""),
                                browser=request.cookies.get(COOKIE))  # fmt: skip
    except auth.AuthorizationRefused as refused:
        return _page("Amazon was not connected", str(refused), 400)
    if replaced is not None:  # the previous seller's orders are no business of this shop now
        request_unsubscription(account, replaced.seller_id, replaced.subscription_id)
    if account.status == "connected" and current_app.config["SETTINGS"].notifications_active:
        # ORDER_CHANGE brings its orders in seconds; the hourly sweep retries a failed attempt
        request_subscription(account.id, account.shop_id)
    shown = {"seller": account.selling_partner_id, "region": account.region,
             "store": db.session.get(Shop, account.shop_id).domain}  # fmt: skip
    if account.status == "unconfirmed":
        message = (
            "This region was connected to another Amazon seller before. Nothing is sent to this "
            "one until an admin confirms its selling partner id in Crossport."
        )
    else:
        count = len(account.marketplaces)
        message = (
            f"Region {account.region}: {count} marketplaces found. Choose where to sell in "
            "Crossport."
        )
    body, status, headers = _page("Amazon connected", message, 200, **shown)
    response = current_app.make_response((body, status, headers))
    clear_browser_cookie(response, COOKIE, path=COOKIE_PATH)
    return response


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


@bp.post("/amazon/accounts/<int:account_id>/confirm")
@require_shop("admin")
def confirm(account_id: int):
    """An admin confirms the Amazon seller connected to a region that had another one before,
    by the selling partner id the page showed ({"selling_partner_id": ...}); its paused
    marketplaces resume. Confirming again answers the same, with "changed": false."""
    account = (
        db.session.query(AmazonAccount).filter_by(id=account_id, shop_id=g.shop_id).one_or_none()
    )
    if account is None:
        return jsonify(error="not_found", message=f"no Amazon account {account_id} here"), 404
    body = request.get_json(silent=True)
    seller = body.get("selling_partner_id") if isinstance(body, dict) else None
    if not isinstance(seller, str) or not seller:
        return jsonify(error="invalid", message="selling_partner_id (text) is required"), 400
    try:
        changed = auth.confirm_seller(account, seller)
    except auth.SellerMismatch:
        message = f"account {account_id} is connected to another seller: reload the page"
        return jsonify(error="seller_mismatch", message=message), 409
    if changed and current_app.config["SETTINGS"].notifications_active:
        request_subscription(account.id, account.shop_id)
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
    waiting = sorted(
        {r.account.region for r in rows if r.account and r.account.status != "connected"}
    )
    if body.get("enabled", True) is not False and waiting:
        message = f"the Amazon {', '.join(waiting)} account is not connected and confirmed"
        return jsonify(error="account_not_connected", message=message), 409
    for row in rows:
        row.enabled = body.get("enabled", True)
    db.session.commit()
    return jsonify(updated=sorted(r.marketplace_id for r in rows))
