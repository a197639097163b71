"""Texts per marketplace language: store translations first, then seller entries, checked.

A title or description that is not in the marketplace's language (a Chinese or English title on
Amazon.de or Amazon.co.jp) is a warning, not a silent publish. Detection is offline: Unicode
script ranges for CJK, `langdetect` (seeded, so results are stable) for the rest, and nothing at
all for texts too short to judge, since a false alarm on "Nike Air Max 90" teaches sellers to
ignore warnings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

from mapping.marketplaces import Marketplace
from mapping.messages import N_, Message, say
from mapping.problems import WARNING, Problem

LANGUAGE_NAMES = {
    "en": N_("English"),
    "de": N_("German"),
    "fr": N_("French"),
    "it": N_("Italian"),
    "es": N_("Spanish"),
    "nl": N_("Dutch"),
    "sv": N_("Swedish"),
    "pl": N_("Polish"),
    "tr": N_("Turkish"),
    "ja": N_("Japanese"),
    "zh": N_("Chinese"),
    "ko": N_("Korean"),
    "pt": N_("Portuguese"),
    "ar": N_("Arabic"),
}
MIN_WORDS = 4  # below this langdetect guesses; brand-and-model titles are not language
MIN_PROBABILITY = 0.90
DETECTION_TRIALS = 3
MAX_DETECTED_CHARS = 400


@dataclass
class Texts:
    """The texts one marketplace listing uses, where they came from, and language warnings."""

    title: str
    description: str
    bullets: list[str]
    language: str
    source: str  # "translation", "seller", "store"
    problems: list[Problem] = field(default_factory=list)


class _TextExtractor(HTMLParser):
    BREAKS = {"p", "br", "li", "div", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.items: list[str] = []
        self._item: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag == "li":
            self._item = []

    def handle_endtag(self, tag):
        if tag == "li" and self._item is not None:
            self.items.append("".join(self._item).strip())
            self._item = None

    def handle_data(self, data):
        self.parts.append(data)
        if self._item is not None:
            self._item.append(data)


def html_to_text(value: str | None) -> tuple[str, list[str]]:
    """Plain text and list items of an HTML description; plain text passes through unchanged."""
    text, items = _html_to_text(value or "")
    return text, list(items)


@lru_cache(maxsize=1024)
def _html_to_text(value: str) -> tuple[str, tuple[str, ...]]:
    if not value:
        return "", ()
    if "<" not in value:
        return html.unescape(value) if "&" in value and ";" in value else value, ()
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    text = re.sub(r"[ \t]*\n[\s]*", "\n", "".join(parser.parts)).strip()
    return text, tuple(i for i in parser.items if i)


def script_language(text: str) -> str | None:
    """ "ja", "zh" or "ko" when CJK script decides it, else None (Latin and friends)."""
    kana = han = hangul = letters = 0
    for char in text:
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D:
            kana += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            han += 1
        elif 0xAC00 <= code <= 0xD7AF:
            hangul += 1
        elif char.isalpha():
            letters += 1
    cjk = kana + han + hangul
    if not cjk or cjk < letters / 3:
        return None
    if kana:
        return "ja"
    if hangul > han:
        return "ko"
    # Short Han-only text reads as Japanese kanji or Chinese alike: do not guess.
    return "zh" if han >= 8 else "cjk"


@lru_cache(maxsize=2048)
def detect_language(text: str) -> str | None:
    """The language of a text, or None when it is too short or too mixed to say (cached)."""
    script = script_language(text)
    if script is not None:
        return script
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < MIN_WORDS:
        return None
    from langdetect import DetectorFactory, detector_factory  # loads profiles on first use
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # deterministic answers for the same text
    try:
        detector_factory.init_factory()
        detector = detector_factory._factory.create()
        # Three trials instead of seven: a third of the time (the default costs ~20 ms per
        # text), and the probability threshold below keeps the doubtful cases silent.
        detector.n_trial = DETECTION_TRIALS
        detector.append(" ".join(words)[:MAX_DETECTED_CHARS])
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None
    if best.prob < MIN_PROBABILITY:
        return None
    return best.lang.split("-")[0]


def _language(code: str) -> Message | str:
    """A language's name as a translatable phrase ("German"), or its code when unnamed."""
    if code == "cjk":
        return say(N_("Chinese or Japanese"))
    name = LANGUAGE_NAMES.get(code)
    return say(name) if name else code


def language_warning(text: str, attribute: str, market: Marketplace) -> Problem | None:
    """A warning when `text` is recognisably not in the marketplace's language."""
    found = detect_language(text)
    wanted = market.language
    if found is None or found == wanted or (found == "cjk" and wanted in ("ja", "zh")):
        return None
    shown = _language(found)
    need = _language(wanted)
    if attribute == "item_name":
        message = N_("The title for %(site)s looks %(found)s, not %(wanted)s.")
        fix = N_("Add a %(wanted)s title (store translation or in the mapping page).")
    else:
        message = N_("The description for %(site)s looks %(found)s, not %(wanted)s.")
        fix = N_("Add a %(wanted)s description (store translation or in the mapping page).")
    return Problem(
        attribute,
        market.id,
        "wrong_language",
        say(message, site=market.site, found=shown, wanted=need),
        say(fix, wanted=need),
        severity=WARNING,
        path=attribute,
    )


def _sentences(text: str) -> list[str]:
    """Sentences of a description, the bullet points of last resort."""
    parts = re.split(r"(?<=[.!?。！？])\s*|\n+", text)
    return [p.strip() for p in parts if len(p.strip()) > 1]


def texts_for(
    product: dict,
    market: Marketplace,
    seller_texts: dict | None = None,
    check_language: bool = True,
) -> Texts:
    """Pick title, description and bullets for one marketplace and check their language.

    `seller_texts` maps a marketplace id or a language code to {"title", "description",
    "bullets"}; the store's translations for the marketplace language come first.
    """
    lang = market.language
    translated = (product.get("translations") or {}).get(lang) or {}
    seller = (seller_texts or {}).get(market.id) or (seller_texts or {}).get(lang) or {}
    title, source = translated.get("title"), "translation"
    if not title:
        title, source = seller.get("title"), "seller"
    if not title:
        title, source = product.get("title") or "", "store"
    description_html = (
        translated.get("description_html")
        or seller.get("description")
        or product.get("description_html")
        or ""
    )
    description, items = html_to_text(description_html)
    bullets = [
        b
        for b in (seller.get("bullets") or items or _sentences(description))
        if isinstance(b, str) and b
    ][:5]
    texts = Texts(title, description, bullets, lang, source)
    # The store's own translation into this language is the seller's statement of language;
    # only fallbacks (seller entries, the store's original text) are checked.
    checked = [("item_name", title)] if source != "translation" else []
    if not translated.get("description_html"):
        checked.append(("product_description", description))
    if check_language:
        for attribute, text in checked:
            warning = language_warning(text, attribute, market) if text else None
            if warning:
                texts.problems.append(warning)
    return texts
