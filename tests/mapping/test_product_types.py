"""Product-type suggestions: the queries to send and the ranking of Amazon's answers."""

from mapping.product_types import rank_suggestions, suggestion_queries


def test_queries_by_item_name_and_by_keywords_never_both():
    product = {
        "title": "Handmade ceramic vase",
        "category": "Home > Vases",
        "tags": ["ceramic", "blue glaze", "2024"],
    }
    by_name, by_keywords = suggestion_queries(product, "A1PA6795UKMFR9")
    assert by_name == {"itemName": "Handmade ceramic vase", "marketplaceIds": ["A1PA6795UKMFR9"]}
    assert by_keywords["keywords"] == ["home", "vases", "ceramic", "blue", "glaze"]
    assert "itemName" not in by_keywords
    assert suggestion_queries({}, "X") == []


def test_ranking_prefers_mapped_then_agreement():
    answers = [
        {
            "productTypes": [
                {"name": "VASE", "displayName": "Vase"},
                {"name": "HOME", "displayName": "Home"},
            ]
        },
        {
            "productTypes": [
                {"name": "HOME", "displayName": "Home"},
                {"name": "DECOR", "displayName": "Decor"},
            ]
        },
    ]
    ranked = rank_suggestions(answers)
    assert [r["name"] for r in ranked] == ["HOME", "VASE", "DECOR"]
    assert [r["name"] for r in rank_suggestions(answers, {"DECOR"})][0] == "DECOR"
