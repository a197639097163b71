"""Opening another section of the app without a token in its URL.

Tokens travel in the Authorization header only: a URL ends up in access logs, the browser's
history and Referer headers. To open another page, the current one asks for a one-time code
(POST /app/handoff, with its token in the header) and navigates to `?handoff=<code>`; the page
load exchanges the code at once. A code lives 60 seconds in Redis, is good for one page load,
and only its digest is a key there.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from flask import Blueprint, g, jsonify

from core.redis import get_redis, key
from web.auth import Identity, require_shop

bp = Blueprint("page_handoff", __name__)

HANDOFF_SECONDS = 60


def _redis_key(code: str) -> str:
    return key("page-handoff", hashlib.sha256(code.encode()).hexdigest())


def issue_handoff(identity: Identity, shop_id: int) -> str:
    """A one-time code standing for this staff member of this shop, for one page load."""
    code = secrets.token_urlsafe(24)
    fields = {
        "platform": identity.platform,
        "domain": identity.domain,
        "user_id": identity.user_id,
        "email": identity.email,
        "name": identity.name,
        "locale": identity.locale,
        "shop_id": shop_id,
    }
    get_redis().set(_redis_key(code), json.dumps(fields), ex=HANDOFF_SECONDS)
    return code


def take_handoff(code: str) -> Identity | None:
    """The identity a code stands for, once; None when unknown, expired or already taken."""
    if not code or len(code) > 64:
        return None
    pipe = get_redis().pipeline()  # read and delete together: of two loads, one gets it
    pipe.get(_redis_key(code))
    pipe.delete(_redis_key(code))
    stored, deleted = pipe.execute()
    if not stored or deleted != 1:
        return None
    return Identity(**json.loads(stored))


@bp.post("/app/handoff")
@require_shop("viewer")
def handoff():
    """A one-time code to open another page as the caller (its token stays in the header)."""
    response = jsonify(code=issue_handoff(g.identity, g.shop_id), expires_in=HANDOFF_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
