"""`/wc-auth/v1/authorize`: WooCommerce's application authentication endpoint (the key flow).

As WC_Auth: all five parameters are required, `scope` is read|write|read_write, the callback
must be https (the emulator also allows the hosts in `http_callback_hosts`, so a local Crossport
can be reached), the keys are POSTed as JSON to the callback, the key is deleted unless the
callback answers exactly 200, and the browser then goes to `return_url?success=1&user_id=...`.

The approve page is the real one's (captures/wc-auth/approve-callback-200.json, WooCommerce's
templates/auth/form-grant-access.php): Approve is a GET link to
`/wc-auth/v1/access_granted/?app_name&user_id&return_url&callback_url&scope&wc_auth_nonce`, the
nonce made by wp_nonce_url( ..., 'wc_auth_grant_access', 'wc_auth_nonce' ) and checked before any
key is made (else 401 "Invalid nonce verification", WC_Auth::handle_auth_requests); Deny is just
`return_url?success=0&user_id=...` and never touches the store.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from urllib.parse import urlencode, urlsplit

import requests
from flask import Blueprint, redirect, request

from sandbox.woocommerce.admin import ADMIN_USER_ID, Nonces
from sandbox.woocommerce.state import StoreState

PARAMS = ("app_name", "scope", "user_id", "return_url", "callback_url")
# WC_Auth::build_url() writes the parameters in this order (the capture's approve_href).
LINK_ORDER = ("app_name", "user_id", "return_url", "callback_url", "scope")
NONCE_ACTION = "wc_auth_grant_access"


def _with_query(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _fail(message: str, status: int = 400):
    return f"<h1>Error</h1><p>{escape(message)}</p>", status


def build_wc_auth(state: StoreState, http_callback_hosts: tuple[str, ...]) -> Blueprint:
    """The /wc-auth/v1 blueprint bound to one store's state."""
    bp = Blueprint("wc_auth", __name__, url_prefix="/wc-auth/v1")
    nonces = Nonces()

    def validate(args) -> str | None:
        for name in PARAMS:
            if not args.get(name):
                return f"Missing parameter {name}"
        if args["scope"] not in ("read", "write", "read_write"):
            return f"Invalid scope {args['scope']}"
        for name in ("return_url", "callback_url"):
            if urlsplit(args[name]).scheme not in ("http", "https"):
                return f"The {name} is not a valid URL"
        callback = urlsplit(args["callback_url"])
        if callback.scheme != "https" and callback.hostname not in http_callback_hosts:
            return "The callback_url needs to be over SSL"
        return None

    @bp.get("/authorize")
    def authorize():
        problem = validate(request.args)
        if problem:
            return _fail(problem)
        if state.auto_approve:
            return grant(request.args)
        args = request.args
        granted = f"{state.base()}/wc-auth/v1/access_granted/?" + urlencode(
            {
                **{k: args[k] for k in LINK_ORDER},
                "wc_auth_nonce": nonces.create(NONCE_ACTION, ADMIN_USER_ID),
            }
        )
        denied = _with_query(args["return_url"], success="0", user_id=args["user_id"])
        app = escape(args["app_name"])
        scope = escape(args["scope"].replace("_", "/").title())
        return (
            '<!doctype html><title>Connect</title><div class="wc-auth-content">'
            f"<h1>{app} would like to connect to your store</h1>"
            f"<p>This will give &quot;<strong>{app}</strong>&quot; <strong>{scope}</strong>"
            " access which will allow it to:</p>"
            '<p class="wc-auth-actions">'
            f'<a href="{escape(granted)}" class="button button-primary wc-auth-approve">'
            "Approve</a>\n"
            f'<a href="{escape(denied)}" class="button wc-auth-deny">Deny</a></p></div>'
        )

    @bp.route("/access_granted/", methods=["GET", "POST"], strict_slashes=False)
    def access_granted():
        problem = validate(request.args)
        if problem:
            return _fail(problem)
        nonce = request.args.get("wc_auth_nonce", "")
        if not nonces.verify(nonce, NONCE_ACTION, ADMIN_USER_ID):
            return _fail("Invalid nonce verification", 401)
        return grant(request.args)

    def grant(args):
        scope = args["scope"]
        key = state.create_key(scope, f"{args['app_name']} - API ({date.today().isoformat()})")
        payload = {
            "key_id": key.key_id,
            "user_id": args["user_id"],
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "key_permissions": scope,
        }
        try:
            answer = requests.post(
                args["callback_url"],
                data=json.dumps(payload),
                headers={
                    "Content-Type": "application/json;charset=UTF-8",
                    "User-Agent": f"WordPress/7.1; {state.base()}",  # the capture's callback
                },
                timeout=60,
                allow_redirects=False,
            )
            status = answer.status_code
        except requests.RequestException:
            status = 0
        with state.lock:
            state.deliveries.append(
                {"topic": "wc-auth.callback", "status": status, "key_id": key.key_id}
            )
        if status != 200:
            # Exactly 200 counts: a callback answering 201 gets the key deleted as a 500 does
            # (captures/wc-auth/approve-callback-201.json and approve-callback-500.json).
            state.delete_key(key.key_id)
            return _fail(
                "An error occurred in the request and at the time were unable to "
                "send the consumer data",
                401,
            )
        return redirect(_with_query(args["return_url"], success="1", user_id=args["user_id"]))

    return bp
