"""Renewing the WooCommerce page's session in place: a fresh plugin token for a new page token.

wp-admin cannot renew a token the way Shopify's App Bridge does, so the page asks its parent
(the plugin's Crossport page) for a fresh plugin token by postMessage, and swaps it here for a
page token, as `/app?wc_token=` does on the first load. The tenant comes from the verified
token alone (the store that signed it, the WordPress user it names); each token works once.
"""

from __future__ import annotations

import jwt
from flask import Blueprint, g, jsonify

from web import auth
from web.auth import (
    AuthError,
    auth_error_response,
    find_shop,
    issue_page_token,
    request_token,
    user_for,
    verify_woocommerce_plugin_token,
)

bp = Blueprint("woocommerce_session", __name__)


def _plugin_token_only(token: str) -> str:
    """Refuse anything but a plugin token: a page token must not renew itself forever."""
    if not token:
        raise AuthError("token_missing", "no plugin token: send it as Authorization: Bearer")
    try:
        audience = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        raise AuthError("token_invalid", "the token is not a JWT") from None
    if audience != "crossport":
        raise AuthError("token_invalid", "this takes a token from the Crossport WordPress plugin")
    return token


@bp.post("/woocommerce/session")
def renew_page_session():
    """Swap a fresh plugin token (Authorization: Bearer) for a page token; 401 when refused."""
    try:
        identity = verify_woocommerce_plugin_token(_plugin_token_only(request_token()))
        shop = find_shop(identity)
    except AuthError as error:
        return auth_error_response(error)
    user = user_for(shop, identity)
    g.shop_id = shop.id  # for the request log line
    response = jsonify(
        page_token=issue_page_token(shop, user, identity),
        expires_in=auth.PAGE_TOKEN_SECONDS,
        role=user.role,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
