"""A tiny wp-admin: products and orders, and the Crossport entry the plugin adds under WooCommerce.

The Crossport page mirrors wordpress-plugin/crossport: a "Connect" button that starts the key
flow and, once connected (the plugin holds the token key Crossport handed it: plugin_rest.py),
an iframe of Crossport's /app carrying a 5-minute HS256 token signed with that key (see the
plugin's includes/token.php for the exact claims), and the plugin's own token-bridge script,
which answers the iframe's requests for a fresh token with one from
admin-ajax.php?action=crossport_token (nonce checked, as WordPress does).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

import jwt
from flask import Blueprint, Response, jsonify, request

from sandbox.woocommerce.plugin_rest import KEY_OPTION
from sandbox.woocommerce.state import StoreState

STYLE = (
    "body{font:14px sans-serif;margin:0;display:flex}nav{background:#1d2327;color:#fff;"
    "min-width:180px;min-height:100vh;padding:8px}nav a{color:#f0f0f1;display:block;"
    "padding:4px 8px;text-decoration:none}nav .sub{padding-left:20px}main{padding:16px;"
    "flex:1}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
)


def _menu() -> str:
    return (
        "<nav><strong>WooCommerce</strong>"
        "<a class='sub' href='/wp-admin/edit.php?post_type=shop_order'>Orders</a>"
        "<a class='sub' href='/wp-admin/edit.php?post_type=product'>Products</a>"
        "<a class='sub' id='crossport-menu' href='/wp-admin/admin.php?page=crossport'>"
        "Crossport</a></nav>"
    )


def _page(title: str, content: str) -> str:
    return (
        f"<!doctype html><html><head><title>{escape(title)} ‹ Store — WordPress</title>"
        f"<style>{STYLE}</style></head><body>{_menu()}<main><h1>{escape(title)}</h1>"
        f"{content}</main></body></html>"
    )


PLUGIN_DIR = Path(__file__).resolve().parents[2] / "wordpress-plugin" / "crossport"
ADMIN_USER_ID = 1  # the emulated wp-admin has one logged-in administrator
ADMIN_CAPS = ("manage_options", "manage_woocommerce")  # an administrator has both
NONCE_ACTION = "crossport_token"
NONCE_TICK = 12 * 3600  # wp_nonce_tick(): a nonce lives 12 to 24 hours


class Nonces:
    """wp_create_nonce / wp_verify_nonce: an HMAC of (tick, action, user) with a site salt."""

    def __init__(self) -> None:
        self.salt = secrets.token_bytes(32)

    def _make(self, tick: int, action: str, user_id: int) -> str:
        message = f"{tick}|{action}|{user_id}".encode()
        return hmac.new(self.salt, message, hashlib.md5).hexdigest()[-12:-2]

    def create(self, action: str, user_id: int) -> str:
        return self._make(math.ceil(time.time() / NONCE_TICK), action, user_id)

    def verify(self, nonce: str, action: str, user_id: int) -> bool:
        tick = math.ceil(time.time() / NONCE_TICK)
        return any(
            hmac.compare_digest(nonce, self._make(t, action, user_id)) for t in (tick, tick - 1)
        )


def _origin(url: str) -> str:
    return "/".join(url.split("/")[:3])


def plugin_token(
    store_url: str, key: str, user_id: int = ADMIN_USER_ID, caps: tuple[str, ...] = ADMIN_CAPS
) -> str:
    """The token the plugin would sign (same claims and key as includes/token.php)."""
    now = int(time.time())
    claims = {
        "iss": store_url,
        "aud": "crossport",
        "sub": str(user_id),
        "caps": list(caps),
        "iat": now,
        "exp": now + 300,
        "jti": secrets.token_hex(16),
    }
    return jwt.encode(claims, key.encode(), algorithm="HS256")


def build_admin(state: StoreState, config: dict) -> Blueprint:
    """The /wp-admin blueprint bound to one store's state."""
    bp = Blueprint("wp_admin", __name__, url_prefix="/wp-admin")
    nonces = Nonces()

    def token_key() -> str | None:
        """crossport_token_key(): the option Crossport set while connecting, else None."""
        with state.lock:
            return state.plugin_options.get(KEY_OPTION) or None

    def token_bridge() -> str:
        """The plugin's enqueued script, with its config printed before it (wp_json_encode)."""
        bridge = {
            "origin": _origin(config["crossport_url"]),
            "ajaxUrl": state.base() + "/wp-admin/admin-ajax.php",
            "nonce": nonces.create(NONCE_ACTION, ADMIN_USER_ID),
        }
        encoded = json.dumps(bridge).replace("/", "\\/")
        return (
            f"<script>window.crossportTokenBridge = {encoded};</script>"
            "<script src='/wp-content/plugins/crossport/assets/token-bridge.js'></script>"
        )

    @bp.get("/")
    @bp.get("/edit.php")
    def lists():
        with state.lock:
            if request.args.get("post_type") == "shop_order":
                rows = "".join(
                    f"<tr><td>#{o['id']}</td><td>{escape(o['status'])}</td>"
                    f"<td>{escape(o['total'])} {escape(o['currency'])}</td>"
                    f"<td>{escape(o['date_created'])}</td></tr>"
                    for o in sorted(state.orders.values(), key=lambda o: -o["id"])
                )
                return _page(
                    "Orders",
                    "<table><tr><th>Order</th><th>Status</th><th>Total</th>"
                    f"<th>Date</th></tr>{rows}</table>",
                )
            rows = "".join(
                f"<tr><td>{escape(p['name'])}</td><td>{escape(p['sku'])}</td>"
                f"<td>{p['stock_quantity'] if p['stock_quantity'] is not None else '–'}</td>"
                f"<td>{escape(p['price'])}</td><td>{escape(p['type'])}</td></tr>"
                for p in sorted(state.products.values(), key=lambda p: -p["id"])
            )
            return _page(
                "Products",
                "<table><tr><th>Name</th><th>SKU</th><th>Stock</th>"
                f"<th>Price</th><th>Type</th></tr>{rows}</table>",
            )

    @bp.get("/admin.php")
    def crossport_page():
        crossport = config["crossport_url"]
        store = state.base()
        connect = f"{crossport}/woocommerce/connect?store_url={quote(store, safe='')}"
        key = token_key()
        if key is None:
            body = (
                f"<p>Sell this store's products on Amazon.</p><p><a class='button' "
                f"id='crossport-connect' href='{escape(connect)}'>Connect to Crossport</a></p>"
            )
        else:
            token = plugin_token(store, key)
            src = f"{crossport}/app?wc_token={token}"
            # Double quotes, as the plugin writes it (crossport.php, crossport_render_page()).
            body = (
                f'<iframe id="crossport-app" src="{escape(src)}" style="width:100%;'
                'height:80vh;border:0"></iframe>'
                f"<p><a href='{escape(connect)}'>Reconnect</a></p>{token_bridge()}"
            )
        return _page("Crossport", body)

    @bp.route("/admin-ajax.php", methods=["GET", "POST"])
    def admin_ajax():
        """wp_ajax_crossport_token, as the plugin answers it (includes/token-bridge.php)."""
        if request.values.get("action") != NONCE_ACTION:
            return Response("0", 400)  # WordPress's answer when no handler is hooked
        nonce = request.values.get("_ajax_nonce") or request.values.get("_wpnonce") or ""
        if not nonces.verify(nonce, NONCE_ACTION, ADMIN_USER_ID):
            return Response("-1", 403)  # check_ajax_referer() dies so
        key = token_key()
        if key is None:
            message = "This store is not connected to Crossport."
            return jsonify(success=False, data={"message": message}), 409
        token = plugin_token(state.base(), key)
        response = jsonify(success=True, data={"token": token})
        response.headers["Cache-Control"] = "no-cache, must-revalidate, max-age=0"
        return response

    return bp


def build_plugin_assets() -> Blueprint:
    """/wp-content/plugins/crossport/: the plugin's own files, served as WordPress serves them."""
    bp = Blueprint("crossport_plugin_assets", __name__)

    @bp.get("/wp-content/plugins/crossport/assets/<name>.js")
    def plugin_script(name: str):
        path = PLUGIN_DIR / "assets" / f"{name}.js"
        if "/" in name or ".." in name or not path.is_file():
            return Response("not found", 404)
        return Response(path.read_text(encoding="utf-8"), mimetype="application/javascript")

    return bp
