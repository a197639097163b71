"""Existing catalogue first: GTIN look-ups, ASIN matches, listing restrictions."""

from mapping.catalog import asin_matches, identifier_lookups, restriction_problems

PRODUCT = {
    "variants": [
        {"sku": "A", "barcode": "4901234567894"},
        {"sku": "B", "barcode": "036000291452"},
        {"sku": "C", "barcode": "123"},
        {"sku": "D", "barcode": None},
    ]
}


def test_lookups_only_for_valid_gtins_and_jan_in_japan():
    jp = identifier_lookups(PRODUCT, "A1VC38T7YXB528")
    assert [(q["sku"], q["identifiersType"]) for q in jp] == [("A", "JAN"), ("B", "UPC")]
    de = identifier_lookups(PRODUCT, "A1PA6795UKMFR9")
    assert [q["identifiersType"] for q in de] == ["EAN", "UPC"]


def test_asin_matches_by_identifier():
    queries = identifier_lookups(PRODUCT, "A1PA6795UKMFR9")
    response = {
        "items": [
            {
                "asin": "B0AAA",
                "identifiers": [
                    {
                        "marketplaceId": "A1PA6795UKMFR9",
                        "identifiers": [{"identifierType": "EAN", "identifier": "4901234567894"}],
                    }
                ],
            }
        ]
    }
    assert asin_matches(response, queries) == {"A": ["B0AAA"], "B": []}


def test_restrictions_become_problems_before_submission():
    response = {
        "restrictions": [
            {
                "marketplaceId": "A1PA6795UKMFR9",
                "conditionType": "new_new",
                "reasons": [
                    {
                        "reasonCode": "APPROVAL_REQUIRED",
                        "message": "Brand approval needed",
                        "links": [{"resource": "https://sellercentral.amazon.de/x", "verb": "GET"}],
                    }
                ],
            },
            {
                "marketplaceId": "A1PA6795UKMFR9",
                "conditionType": "used_good",
                "reasons": [{"reasonCode": "NOT_ELIGIBLE"}],
            },
        ]
    }
    problems = restriction_problems("A", "A1PA6795UKMFR9", response)
    assert [(p.code, p.severity) for p in problems] == [("restricted_approval_required", "error")]
    assert "Amazon.de restricts SKU A: Brand approval needed" == problems[0].message
    assert "https://sellercentral.amazon.de/x" in problems[0].fix
    assert restriction_problems("A", "A1PA6795UKMFR9", {"restrictions": []}) == []
