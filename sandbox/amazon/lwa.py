"""Login with Amazon: the token endpoint (three grants) and the seller consent page."""

from __future__ import annotations

import html
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, request

from .state import CallRecord

bp = Blueprint("lwa", __name__)
CODE_SECONDS = 300  # Amazon's spapi_oauth_code is valid for five minutes


def _emulator():
    return current_app.config["EMULATOR"]


def _error(status: int, code: str, description: str):
    return jsonify({"error": code, "error_description": description}), status


@bp.after_request
def _record_grant(response):
    """Token requests appear in the call log as `lwa:<grant type>` (the seller's id as caller),
    so a test can count how often Crossport asks LWA."""
    if request.endpoint == "lwa.token":
        state = _emulator().state
        owner = g.get("lwa_owner") or ("", None)
        record = CallRecord(f"lwa:{request.form.get('grant_type', '')}", owner[0] or "",
                            owner[1], response.status_code, time.time(), "")  # fmt: skip
        with state.lock:
            state.calls.append(record)
    return response


@bp.post("/auth/o2/token")
def token():
    """Exchange a refresh token, an authorization code or client credentials for tokens."""
    state = _emulator().state
    form = request.form
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    clients = state.options.lwa_clients
    if not client_id or not secret or (clients is not None and clients.get(client_id) != secret):
        return _error(401, "invalid_client", "Client authentication failed")
    grant = form.get("grant_type")
    if grant == "refresh_token":
        refresh = form.get("refresh_token", "")
        with state.lock:
            owner = state.refresh_tokens.get(refresh)
            revoked = refresh in state.revoked
        g.lwa_owner = owner
        if owner is None or revoked:
            return _error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token. "
                "User may have revoked or didn't grant the permission.",
            )
        access = state.mint_access_token(owner[0], owner[1])
        with state.lock:
            state.access_tokens[access]["refresh"] = refresh
        return _tokens(access, refresh)
    if grant == "authorization_code":
        code = form.get("code", "")
        with state.lock:
            found = state.auth_codes.pop(code, None)  # single use
        if found is None or found[2] < time.time():
            return _error(400, "invalid_grant", "The authorization code is invalid or expired.")
        seller, region, _ = found
        refresh = state.mint_refresh_token(seller, region)
        access = state.mint_access_token(seller, region)
        with state.lock:
            state.access_tokens[access]["refresh"] = refresh
        return _tokens(access, refresh)
    if grant == "client_credentials":
        scope = form.get("scope", "")
        if scope not in (
            "sellingpartnerapi::notifications",
            "sellingpartnerapi::client_credential:rotation",
        ):
            return _error(400, "invalid_scope", "The requested scope is invalid.")
        access = state.mint_access_token(None, None, scope)
        return jsonify(
            {
                "access_token": access,
                "scope": scope,
                "token_type": "bearer",
                "expires_in": state.options.access_token_seconds,
            }
        )
    return _error(400, "unsupported_grant_type", "The grant type is not supported.")


def _tokens(access: str, refresh: str):
    expires = _emulator().state.options.access_token_seconds
    return jsonify(
        {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": expires,
        }
    )


@bp.route("/<any(na,eu,fe):region>/apps/authorize/consent", methods=["GET", "POST"])
def consent(region: str):
    """Seller Central of one region."""
    return _consent(region)


@bp.route("/apps/authorize/consent", methods=["GET", "POST"])
def consent_na():
    """Without a region prefix: Seller Central NA, Amazon's default."""
    return _consent("na")


def _consent(region: str):
    """Seller Central's consent page: approve, then back to the app with a one-time code."""
    state = _emulator().state
    region = region.upper()
    args = request.values
    application_id, app_state = args.get("application_id"), args.get("state")
    redirect_uri = args.get("redirect_uri")
    if not application_id or not app_state or not redirect_uri:
        return "application_id, state and redirect_uri are required", 400
    approve = state.options.auto_approve or request.method == "POST"
    if not approve:
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in args.items()
        )
        return (
            "<!doctype html><title>Authorize application</title>"
            f"<h1>Authorize {html.escape(application_id)}?</h1>"
            f"<p>Region {region}. The application will access your selling account.</p>"
            f'<form method="post">{fields}<button id="approve">Confirm</button></form>'
        )
    with state.lock:
        seller = state.consent_seller.get(region)
        code = f"AN{secrets.token_urlsafe(18)}"
        state.auth_codes[code] = (seller, region, time.time() + CODE_SECONDS)
    query = urlencode({"state": app_state, "selling_partner_id": seller, "spapi_oauth_code": code})
    separator = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{separator}{query}", code=302)
