"""App Bridge session tokens: verify the JWT an embedded page sends and name its tenant."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from integrations.shopify.oauth import valid_shop_domain

LEEWAY_SECONDS = 10  # the admin's clock and ours may differ a little; tokens live 60 s


class InvalidSessionToken(Exception):
    """Forged, expired, for another app, or naming no valid shop; `expired` tells which."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class SessionClaims:
    shop: str  # from `dest`, never from a parameter
    user_id: str
    session_id: str
    claims: dict


def decode_session_token(
    token: str, api_key: str, api_secret: str, leeway: int = LEEWAY_SECONDS
) -> SessionClaims:
    """HS256 with the app secret, aud exactly the API key, exp/nbf with leeway, iss and dest
    hosts equal."""
    try:
        claims = jwt.decode(
            token,
            api_secret,
            algorithms=["HS256"],
            audience=api_key,
            leeway=leeway,
            # strict_aud: `aud` must be the API key itself; a list holding it (which PyJWT
            # otherwise accepts) is a token minted for several audiences, not for this app.
            options={"require": ["exp", "nbf", "iss", "dest", "aud", "sub"], "strict_aud": True},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidSessionToken("session token expired", expired=True) from None
    except jwt.PyJWTError as exc:
        raise InvalidSessionToken(f"session token invalid: {exc}") from None
    dest, iss = urlsplit(str(claims["dest"])), urlsplit(str(claims["iss"]))
    if dest.scheme != "https" or not dest.netloc or dest.netloc != iss.netloc:
        raise InvalidSessionToken("issuer and destination differ")
    shop = dest.netloc.lower()
    if not valid_shop_domain(shop):
        raise InvalidSessionToken("destination is not a myshopify domain")
    return SessionClaims(
        shop=shop, user_id=str(claims["sub"]), session_id=str(claims.get("sid", "")), claims=claims
    )
