"""Page languages with Flask-Babel: which locale a request gets, and fresh compiled catalogues.

The locale is, in order: the staff member's own choice (kept per user), the store admin's
`locale` query parameter (Shopify sends `locale=zh-CN`), the token's locale (WooCommerce), the
browser's Accept-Language, then English. Catalogues live in translations/<locale>/LC_MESSAGES;
a .po newer than its .mo is compiled when the app is created, so a fresh clone needs no step.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel

from core.models import Shop, User

log = logging.getLogger("crossport.web")

LOCALES = ("en", "zh_Hans")
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def normalise_locale(raw: str | None) -> str | None:
    """Map what admins and browsers send ("zh-CN", "zh_Hans", "en-US") to a page locale."""
    if not raw:
        return None
    value = raw.strip().replace("-", "_").lower()
    if value.startswith("zh"):
        return "zh_Hans"
    if value.startswith("en"):
        return "en"
    return None


def user_locale(shop: Shop, user: User) -> str | None:
    return (shop.settings or {}).get("user_locales", {}).get(str(user.id))


def save_user_locale(shop: Shop, user: User, locale: str) -> None:
    """Remember a staff member's language (on the shop's settings; the caller commits)."""
    settings = dict(shop.settings or {})
    chosen = dict(settings.get("user_locales", {}))
    chosen[str(user.id)] = locale
    settings["user_locales"] = chosen
    shop.settings = settings  # a new dict, so SQLAlchemy sees the JSON change


def select_locale() -> str:
    """Flask-Babel's locale selector for the current request."""
    user, shop = g.get("user"), g.get("shop")
    if user is not None and shop is not None:
        chosen = user_locale(shop, user)
        if chosen:
            return chosen
    for candidate in (request.args.get("locale"), getattr(g.get("identity"), "locale", None)):
        found = normalise_locale(candidate)
        if found:
            return found
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans"])
    return normalise_locale(best) or "en"


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[str]:
    """Compile every .po whose .mo is missing or older; returns the locales compiled."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        try:
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog)
        except OSError as exc:  # a read-only deployment: ship compiled catalogues instead
            log.warning("cannot write %s: %s", mo_path, exc)
            continue
        compiled.append(po_path.parent.parent.name)
    return compiled


def init_app(app: Flask) -> None:
    """Install Flask-Babel with Crossport's locale selector (idempotent)."""
    if "babel" in app.extensions:
        return
    compile_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_locale)
