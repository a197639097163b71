"""Texts per marketplace language and the offline language check."""

import pytest

from mapping.marketplaces import MARKETPLACES
from mapping.texts import detect_language, html_to_text, script_language, texts_for

DE, JP, US = (MARKETPLACES[i] for i in ("A1PA6795UKMFR9", "A1VC38T7YXB528", "ATVPDKIKX0DER"))
PRODUCT = {
    "title": "Handmade ceramic vase with blue glaze for the living room",
    "description_html": "<p>Nice.</p>",
    "translations": {"de": {"title": "Handgefertigte Keramikvase mit blauer Glasur"}},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Handgefertigte Keramikvase mit blauer Glasur für das Wohnzimmer", "de"),
        ("Handmade ceramic vase with blue glaze for the living room", "en"),
        ("手作りの陶器の花瓶、青い釉薬", "ja"),
        ("手工陶瓷花瓶蓝色釉面客厅装饰品", "zh"),
        ("Nike Air Max 90", None),  # brand and model: not a language
        ("陶器花瓶", "cjk"),  # kanji or hanzi: too short to tell
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_store_translation_wins_then_seller_text_then_store_text():
    de = texts_for(PRODUCT, DE)
    assert (de.title, de.source, de.problems) == (
        PRODUCT["translations"]["de"]["title"],
        "translation",
        [],
    )
    jp = texts_for(PRODUCT, JP, {"ja": {"title": "手作りの陶器の花瓶、青い釉薬"}})
    assert (jp.source, jp.problems) == ("seller", [])
    fallback = texts_for(PRODUCT, JP)
    assert fallback.source == "store"
    assert [p.code for p in fallback.problems] == ["wrong_language"]
    assert "Amazon.co.jp looks English, not Japanese" in fallback.problems[0].message


def test_a_chinese_title_on_amazon_de_is_flagged():
    texts = texts_for({"title": "手工陶瓷花瓶蓝色釉面客厅装饰品"}, DE)
    assert texts.problems[0].message == "The title for Amazon.de looks Chinese, not German."


def test_short_titles_do_not_raise_false_alarms():
    assert texts_for({"title": "Nike Air Max 90"}, DE).problems == []
    assert texts_for({"title": "陶器花瓶"}, JP).problems == []
    assert script_language("Vase Ø 20 cm") is None


def test_html_description_becomes_text_and_bullets():
    text, bullets = html_to_text("<p>A &amp; B</p><ul><li>One</li><li>Two</li></ul>")
    assert text == "A & B\nOne\nTwo" and bullets == ["One", "Two"]
    assert html_to_text("Plain „Text“ – 直径２０ｃｍ") == ("Plain „Text“ – 直径２０ｃｍ", [])
