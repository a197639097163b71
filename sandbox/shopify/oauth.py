"""OAuth as a Shopify store runs it: authorize (approve page), code exchange with expiring
offline tokens, refresh with rotation, token exchange of App Bridge session tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from urllib.parse import quote, urlencode

import jwt
from flask import Blueprint, abort, jsonify, redirect, render_template_string, request

from sandbox.shopify.state import EmulatorState, Grant

ACCESS_TTL = 3600
REFRESH_TTL = 90 * 24 * 3600
CODE_TTL = 600
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
ONLINE_TOKEN = "urn:shopify:params:oauth:token-type:online-access-token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TTL = 24 * 3600  # an online token lasts as long as the user's admin session, at most a day

APPROVE_PAGE = """<!doctype html><title>Install app</title>
<h1>Install {{ app }} on {{ shop }}?</h1><p>It asks for: {{ scope }}</p>
<form method="post" action="approve">{% for k, v in params.items() %}
<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}
<button type="submit" id="approve">Install app</button></form>"""


def callback_hmac(secret: str, params: dict) -> str:
    """The callback's `hmac` as Shopify signs it: hex HMAC-SHA256 of the other parameters
    sorted and form-encoded (a space as %20), the string @shopify/shopify-api's
    stringifyQueryForAdmin rebuilds to check it (lib/utils/hmac-validator.ts, processed-query.ts).
    The emulator's keys are lower-case ASCII, so a plain sort is localeCompare's order."""
    message = "&".join(
        f"{_form(k)}={_form(v)}"
        for k, v in sorted(params.items())
        if k not in ("hmac", "signature")
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _form(text: str) -> str:
    """URLSearchParams' serializer: only ASCII alphanumerics and *-._ stay as they are."""
    return quote(str(text), safe="*").replace("~", "%7E")


def session_token(
    api_key: str,
    secret: str,
    shop: str,
    user_id: str = "42",
    lifetime: int = 60,
    now: float | None = None,
    **overrides,
) -> str:
    """An App Bridge session token (shopify.idToken()) for the admin's embedded app."""
    now = int(now if now is not None else time.time())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": user_id,
        "exp": now + lifetime,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": secrets.token_hex(16),
        **overrides,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def build_oauth(state: EmulatorState, config: dict) -> Blueprint:
    bp = Blueprint("shopify_oauth", __name__)
    api_key, secret = config["api_key"], config["api_secret"]

    def issue(shop: str, scopes: str, expiring: bool) -> dict:
        access = Grant(
            token="shpat_" + secrets.token_hex(16),
            shop=shop,
            kind="access",
            expires_at=time.time() + config["access_ttl"] if expiring else None,
            scopes=scopes,
        )
        state.grants[access.token] = access
        body = {"access_token": access.token, "scope": scopes}
        if expiring:
            refresh = Grant(
                token="shprt_" + secrets.token_hex(16),
                shop=shop,
                kind="refresh",
                expires_at=time.time() + REFRESH_TTL,
                scopes=scopes,
            )
            state.grants[refresh.token] = refresh
            body.update(
                expires_in=config["access_ttl"] - 1,
                refresh_token=refresh.token,
                refresh_token_expires_in=REFRESH_TTL,
            )
            return body | {"_refresh": refresh}
        return body

    @bp.get("/store/<shop>/admin/oauth/authorize")
    def authorize(shop: str):
        args = request.args
        if args.get("client_id") != api_key:
            abort(400, "Oauth error invalid_request: The client_id is invalid")
        redirect_uri = args.get("redirect_uri", "")
        if not redirect_uri.startswith(config["app_url"]):
            abort(400, "Oauth error invalid_request: The redirect_uri is not whitelisted")
        params = {
            "shop": shop,
            "scope": args.get("scope", ""),
            "redirect_uri": redirect_uri,
            "state": args.get("state", ""),
        }
        if state.auto_approve:
            return _approved(shop, params)
        return render_template_string(
            APPROVE_PAGE, app=api_key, shop=shop, scope=params["scope"], params=params
        )

    @bp.post("/store/<shop>/admin/oauth/approve")
    def approve(shop: str):
        return _approved(shop, request.form.to_dict())

    def _approved(shop: str, params: dict):
        st = state.shop(shop)
        code = secrets.token_hex(16)
        state.codes[code] = {
            "shop": shop,
            "scope": params["scope"],
            "expires_at": time.time() + CODE_TTL,
        }
        st.scopes = params["scope"]
        query = {
            "code": code,
            # base64 with its padding, as the admin sends it: a host ending in "=" must verify
            "host": base64.b64encode(
                f"admin.shopify.com/store/{shop.split('.')[0]}".encode()
            ).decode(),
            "shop": shop,
            "state": params.get("state", ""),
            "timestamp": str(int(time.time())),
        }
        query["hmac"] = callback_hmac(secret, query)
        return redirect(f"{params['redirect_uri']}?{urlencode(query)}")

    @bp.post("/store/<shop>/admin/oauth/access_token")
    def access_token(shop: str):
        data = request.get_json(silent=True) or request.form.to_dict()
        if data.get("client_id") != api_key or not hmac.compare_digest(
            str(data.get("client_secret", "")), secret
        ):
            return jsonify(
                error="invalid_client", error_description="Client authentication failed"
            ), 401
        grant_type = data.get("grant_type") or "authorization_code"
        state.record_call(
            kind="token", shop=shop, method="POST", path=request.path, grant_type=grant_type
        )
        expiring = str(data.get("expiring", "0")) == "1"
        with state.lock:
            if grant_type == "refresh_token":
                body = _refresh(shop, data.get("refresh_token", ""))
            elif grant_type == TOKEN_EXCHANGE:
                body, refused = _exchange(shop, data, expiring)
                if refused is not None:
                    error, description = refused
                    return jsonify(error=error, error_description=description), 400
            else:
                entry = state.codes.pop(data.get("code", ""), None)
                if entry is None or entry["shop"] != shop or entry["expires_at"] < time.time():
                    body = None
                else:
                    state.shop(shop).installed = True
                    body = issue(shop, entry["scope"], expiring)
        if body is None:
            return jsonify(
                error="invalid_grant", error_description="The grant is invalid, expired or revoked"
            ), 400
        body.pop("_refresh", None)
        return jsonify(body)

    def _refresh(shop: str, token: str) -> dict | None:
        grant = state.grants.get(token)
        if grant is None or grant.kind != "refresh" or grant.shop != shop or not grant.valid():
            return None
        # Shopify keeps the previous refresh token until its replacement is used: using this
        # one retires the one it replaced.
        if grant.predecessor and grant.predecessor in state.grants:
            state.grants[grant.predecessor].revoked = True
        body = issue(shop, grant.scopes, expiring=True)
        body["_refresh"].predecessor = token
        return body

    def _exchange(shop: str, data: dict, expiring: bool):
        """(token body, None) or (None, (error, description)).

        Token exchange as Shopify runs it
        (https://shopify.dev/docs/apps/auth/get-access-tokens/token-exchange): an App Bridge
        session token for an online token (one user's, with associated_user and expires_in, the
        shape @shopify/shopify-api reads as OnlineAccessInfo, lib/auth/oauth/types.ts) or an
        offline one (the shop's; expiring with a refresh token when expiring=1). A refused
        exchange is 400 with an error naming what is wrong, not one invalid_grant for all:
        missing_subject_token (as Shopify answers a request without one, community.shopify.com
        t/apis/337288), invalid_subject_token "Subject token is invalid" for a token that is
        forged, expired, for another app or another shop (the answer @shopify/shopify-api's
        token-exchange tests expect), invalid_request for a wrong subject or requested token
        type (RFC 8693 2.2.2 and RFC 6749 5.2, which Shopify's exchange follows)."""
        subject = data.get("subject_token") or ""
        if not subject:
            return None, ("missing_subject_token", "Missing subject token")
        if data.get("subject_token_type", ID_TOKEN_TYPE) != ID_TOKEN_TYPE:
            return None, ("invalid_request", "subject_token_type must be an id_token")
        requested = data.get("requested_token_type") or OFFLINE_TOKEN
        if requested not in (ONLINE_TOKEN, OFFLINE_TOKEN):
            return None, ("invalid_request", "Unsupported requested_token_type")
        try:
            claims = jwt.decode(subject, secret, algorithms=["HS256"], audience=api_key, leeway=5)
        except jwt.PyJWTError:
            return None, ("invalid_subject_token", "Subject token is invalid")
        if claims.get("dest") != f"https://{shop}":
            return None, ("invalid_subject_token", "Subject token is invalid")
        state.shop(shop).installed = True
        scopes = state.shop(shop).scopes or config["default_scopes"]
        if requested == OFFLINE_TOKEN:
            return issue(shop, scopes, expiring), None
        return issue_online(shop, scopes, str(claims.get("sub") or "")), None

    def issue_online(shop: str, scopes: str, user_id: str) -> dict:
        access = Grant(
            token="shpua_" + secrets.token_hex(16),
            shop=shop,
            kind="access",
            expires_at=time.time() + ONLINE_TTL,
            scopes=scopes,
        )
        state.grants[access.token] = access
        number = int(user_id) if user_id.isdigit() else 0
        return {
            "access_token": access.token,
            "scope": scopes,
            "expires_in": ONLINE_TTL - 1,
            "associated_user_scope": scopes,
            "associated_user": {
                "id": number,
                "first_name": "Staff",
                "last_name": f"Member {number}",
                "email": f"staff{number}@{shop}",
                "email_verified": True,
                "account_owner": number == 42,  # the default session token's user, the owner
                "locale": "en",
                "collaborator": False,
            },
        }

    return bp
