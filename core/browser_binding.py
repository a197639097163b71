"""Binding a single-use OAuth `state` to the browser that started the flow.

The starting response sets a random secret in an HttpOnly cookie and only its digest is stored
with the state; the callback must bring the same cookie. A consent link opened by someone else
(whose browser never got the cookie) therefore completes nothing, even with a valid state. Used
by the Shopify install (/shopify/install -> /shopify/callback) and the Amazon seller
authorization (/amazon/connect -> /amazon/callback).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_browser_secret() -> tuple[str, str]:
    """A fresh secret for the cookie, and the digest to store with the state."""
    secret = secrets.token_urlsafe(32)
    return secret, browser_digest(secret)


def browser_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_browser(bound_digest: object, presented: str | None) -> bool:
    """Whether the cookie the callback brought is the one the state was bound to."""
    if not presented or not isinstance(bound_digest, str) or not bound_digest:
        return False
    return hmac.compare_digest(bound_digest.encode(), browser_digest(presented).encode())


def set_browser_cookie(
    response, name: str, secret: str, *, path: str, max_age: int, secure: bool
) -> None:
    """The cookie the callback must bring back: HttpOnly, sent on the provider's top-level
    redirect back to us (SameSite=Lax), limited to the flow's own paths."""
    response.set_cookie(
        name, secret, max_age=max_age, httponly=True, secure=secure, samesite="Lax", path=path
    )


def clear_browser_cookie(response, name: str, *, path: str) -> None:
    response.delete_cookie(name, path=path)
