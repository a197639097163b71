"""Problems carry their message templates, and every template has a Simplified Chinese text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import Translations

from mapping.marketplaces import MARKETPLACES
from mapping.messages import Message
from mapping.schema_validation import ProductTypeSchema
from mapping.texts import language_warning

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# A small product-type schema in Amazon's shape, so these tests need no specs.
SCHEMA = {
    "$id": "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/HOME",
    "type": "object",
    "required": ["brand", "item_name"],
    "additionalProperties": False,
    "properties": {
        "brand": {"title": "Brand Name", "type": "array", "items": {"type": "object"}},
        "item_name": {
            "title": "Item Name",
            "type": "array",
            "maxUniqueItems": 1,
            "selectors": ["marketplace_id"],
            "items": {
                "type": "object",
                "required": ["value"],
                "properties": {"value": {"type": "string", "maxLength": 10}},
            },
        },
        "color": {
            "type": "array",
            "items": {"type": "object", "properties": {"value": {"enum": ["red", "blue"]}}},
        },
        "batteries_required": {"type": "array"},
    },
    "allOf": [{"if": {"required": ["color"]}, "then": {"required": ["batteries_required"]}}],
}


def problem_templates() -> set[str]:
    """Every template `N_()` marks in mapping/ and jobs/ (what pybabel extracts with -k N_)."""
    found = set()
    for folder in ("mapping", "jobs"):
        for _, _, message, _, _ in extract_from_dir(
            str(REPO / folder), [("**.py", "python")], keywords={"N_": None}
        ):
            found.add(message)
    return found


def chinese() -> Translations:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    translations = Translations()
    for message in catalog:
        if message.id and message.string and not message.fuzzy:
            translations._catalog[message.id] = message.string
    return translations


@pytest.fixture(scope="module")
def problems():
    schema = ProductTypeSchema.from_schema(SCHEMA, marketplace_id="ATVPDKIKX0DER")
    found = schema.validate(
        {
            "item_name": [{"value": "A vase far too long"}, {"value": "Another"}],
            "color": [{"value": "green"}],
            "size": [{"value": "L"}],
        }
    )
    found.append(language_warning("Ein handgemachter Krug aus Ton", "item_name", US))
    return found


US = MARKETPLACES["ATVPDKIKX0DER"]


def test_every_problem_template_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    templates = problem_templates()
    assert len(templates) > 100
    missing = sorted(templates - set(translated))
    assert missing == [], f"untranslated problem templates: {missing[:10]}"
    for template in templates:
        wanted = sorted(PLACEHOLDER.findall(template))
        assert sorted(PLACEHOLDER.findall(translated[template])) == wanted, template


def test_problems_keep_the_template_they_were_written_from(problems):
    templates = problem_templates()
    codes = {p.code for p in problems}
    assert {"missing", "too_long", "too_many_values", "invalid_value", "unknown_attribute"} <= codes
    assert "wrong_language" in codes
    for problem in problems:
        for text, message in ((problem.text, problem.message), (problem.fix_text, problem.fix)):
            assert text is not None, problem
            assert text.template in templates, text.template
            assert text.render() == message  # English is the template filled in
            stored = problem.to_dict()
            assert Message.from_dict(stored["text"]).render() == problem.message


def test_problems_render_in_chinese_from_their_stored_form(problems):
    zh = chinese()
    by_code = {p.code: p for p in problems}
    by_attribute = {p.attribute: p for p in problems if p.code == "missing"}
    brand = by_attribute["brand"]
    assert brand.message == "Amazon.com needs Brand Name (brand) for a HOME product."
    shown = Message.from_dict(brand.to_dict()["text"]).render(zh.gettext)
    assert shown == "Amazon.com 要求 HOME 商品提供 Brand Name（brand）。"
    batteries = by_attribute["batteries_required"]  # asked for because a colour is given
    assert batteries.message == (
        "Amazon.com needs whether the product needs batteries: batteries_required "
        "for a HOME product because of color."
    )
    shown = Message.from_dict(batteries.to_dict()["text"]).render(zh.gettext)
    assert (
        shown == "由于 color，Amazon.com 要求 HOME 商品提供 商品是否需要电池：batteries_required。"
    )
    language = Message.from_dict(by_code["wrong_language"].to_dict()["text"])
    assert language.render(zh.gettext) == "Amazon.com 的标题看起来是德语，而不是英语。"
    for problem in problems:
        shown = Message.from_dict(problem.to_dict()["fix_text"]).render(zh.gettext)
        assert re.search(r"[\u4e00-\u9fff]", shown), (problem.code, shown)
        assert "%(" not in shown
