"""The embedded page: `/app` (entry from the store admin), one page per section, and `/`.

Pages are server-rendered shells (layout, labels, forms in the seller's language); their data
comes from the JSON API through `static/js/api.js`, which attaches the store token and renews
it on a 401. A page load verifies what its URL carries only to pick the staff member's language
and role: the store admin's first load brings `id_token` (Shopify's session token, one minute)
or `wc_token` (the plugin's token, single use); moving between pages brings a one-time
`handoff` code (web/page_handoff.py). Each is exchanged at once; a page token of our own is
never read from a URL, only handed to the page in its body. A page with an expired or used one
still renders, and its first API call fetches a fresh token.
"""

from __future__ import annotations

import json
import os

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import get_locale, refresh

from web import i18n
from web.auth import (
    AuthError,
    authenticate,
    issue_page_token,
    verify_shopify_session_token,
    verify_woocommerce_plugin_token,
)
from web.client_strings import client_strings
from web.page_handoff import take_handoff

bp = Blueprint("pages", __name__)
bp.record_once(lambda state: i18n.init_app(state.app))

SECTIONS = (
    "dashboard",
    "onboarding",
    "products",
    "mapping",
    "pricing",
    "orders",
    "activity",
    "team",
)


def demo_links() -> list[dict]:
    """Links to the emulators' store admins, set by the demo launcher (sandbox only)."""
    raw = os.environ.get("CROSSPORT_DEMO_LINKS", "")
    try:
        links = json.loads(raw) if raw else []
    except ValueError:
        return []
    if isinstance(links, dict):
        links = [{"label": k, "url": v} for k, v in links.items()]
    return [
        link
        for link in links
        if isinstance(link, dict) and str(link.get("url", "")).startswith(("http://", "https://"))
    ]


def _page_context(section: str) -> dict:
    """Verify the page's token if any; the page works without one (the JS renews)."""
    settings = current_app.config["SETTINGS"]
    for key in ("shop", "user", "identity", "shop_id"):
        g.pop(key, None)  # an app context shared by several requests (tests) must not leak
    context = {
        "section": section,
        "sections": SECTIONS,
        "shop": None,
        "user": None,
        "page_token": "",
        "auth_error": None,
        "sandbox": settings.sandbox,
        "shopify_api_key": settings.shopify_api_key,
        "product_id": None,
        "product": None,
        "bridge_url": None,
        "embed_url": None,
        "store_origin": None,
    }
    wc_token = request.args.get("wc_token")
    if request.args.get("handoff") or wc_token or request.args.get("id_token"):
        try:
            shop, user, identity = authenticate(identity=_url_identity())
            context.update(shop=shop, user=user, platform=shop.platform)
            if shop.platform == "woocommerce":
                # WooCommerce cannot hand the page a new token: one of our own, in the body.
                context["page_token"] = issue_page_token(shop, user, identity)
        except AuthError as error:
            context["auth_error"] = error.code
    refresh()  # the locale depends on who is calling: choose it again
    context["platform"] = (
        context["shop"].platform if context["shop"] else ("woocommerce" if wc_token else "shopify")
    )
    if context["platform"] == "shopify":
        shop_domain = context["shop"].domain if context["shop"] else request.args.get("shop")
        context["bridge_url"] = sandbox_bridge_url(shop_domain)
        context["embed_url"] = admin_embed_url(shop_domain)
    elif context["shop"] is not None:
        # wp-admin: the only window the page asks for a fresh plugin token (see api.js)
        context["store_origin"] = _origin(context["shop"].domain)
    context["locale"] = str(get_locale())
    context["client_strings"] = client_strings()
    return context


def _url_identity():
    """Who a page load's URL stands for, each kind of credential checked as what it must be:
    a one-time handoff code, the plugin's single-use token, or Shopify's session token."""
    if request.args.get("handoff"):
        identity = take_handoff(request.args["handoff"])
        if identity is None:
            raise AuthError("token_invalid", "this page link was used or has expired")
        return identity
    if request.args.get("wc_token"):
        return verify_woocommerce_plugin_token(request.args["wc_token"])  # works once only
    return verify_shopify_session_token(request.args["id_token"])


def sandbox_bridge_url(shop_domain: str | None) -> str | None:
    """The Shopify emulator's App Bridge script, when the admin URL points at a local emulator.

    In production App Bridge comes from Shopify's CDN (see base.html); in the sandbox the
    emulator's own script answers shopify.idToken() through its admin page.
    """
    from integrations.shopify.oauth import valid_shop_domain

    settings = current_app.config["SETTINGS"]
    template = settings.shopify_admin_url_template
    if not settings.sandbox or not valid_shop_domain(shop_domain):
        return None
    if not template.startswith(("http://127.0.0.1:", "http://localhost:")):
        return None
    return template.format(shop=shop_domain).rstrip("/") + "/admin/app-bridge.js"


def admin_embed_url(shop_domain: str | None) -> str | None:
    """Where the app opens inside the store admin (a page loaded outside it goes there)."""
    from integrations.shopify.oauth import valid_shop_domain

    if not valid_shop_domain(shop_domain):
        return None
    settings = current_app.config["SETTINGS"]
    base = settings.shopify_admin_url_template.format(shop=shop_domain).rstrip("/")
    return f"{base}/admin/apps/{settings.shopify_api_key}"


def _origin(url: str) -> str:
    return "/".join(url.split("/")[:3])


def _frame_ancestors(context: dict) -> str:
    """Who may frame the page: the store admin (and any local emulator in the sandbox)."""
    sources = ["'self'"]
    shop = context.get("shop")
    if shop is not None and shop.platform == "shopify":
        sources += [f"https://{shop.domain}", "https://admin.shopify.com"]
    elif shop is not None:
        sources.append(_origin(shop.domain))  # a store in a subfolder: wp-admin's origin only
    elif not context["sandbox"]:
        sources += ["https://*.myshopify.com", "https://admin.shopify.com"]
    if context["sandbox"]:
        sources += ["http://127.0.0.1:*", "http://localhost:*"]
    return " ".join(sources)


def _render(template: str, context: dict) -> Response:
    response = Response(render_template(template, **context))
    scripts = "'self'" if context["sandbox"] else "'self' https://cdn.shopify.com"
    if context.get("bridge_url"):
        scripts += " " + _origin(context["bridge_url"])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: https: http:; connect-src 'self'; "
        f"frame-ancestors {_frame_ancestors(context)}"
    )
    # the page's URL may carry a store's one-time credential: never sent on, even to ourselves
    response.headers["Referrer-Policy"] = "strict-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def landing():
    """For a visitor outside any store admin: what Crossport is, and the demo stores."""
    settings = current_app.config["SETTINGS"]
    context = {
        "sandbox": settings.sandbox,
        "demo_links": demo_links() if settings.sandbox else [],
        "locale": str(get_locale()),
        "shop": None,
    }
    response = Response(render_template("landing.html", **context))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "frame-ancestors 'self'"
    )
    return response


@bp.get("/app")
def app_entry():
    """The store admin's entry: Shopify adds shop, host and id_token; the plugin wc_token."""
    context = _page_context("dashboard")
    return _render("dashboard.html", context)


@bp.get("/app/<section>")
def section_page(section: str):
    if section not in SECTIONS:
        abort(404)
    return _render(f"{section}.html", _page_context(section))


@bp.get("/app/products/<int:product_id>")
def product_page(product_id: int):
    context = _page_context("products")
    context["product"] = None
    if context["shop"] is not None:
        from core.db import db
        from core.models import ProductSnapshot

        context["product"] = (
            db.session.query(ProductSnapshot)
            .filter_by(id=product_id, shop_id=g.shop_id)
            .one_or_none()
        )
    context["product_id"] = product_id
    return _render("product.html", context)
