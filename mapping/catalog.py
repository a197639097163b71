"""Existing catalogue first: GTIN look-ups to run, matches to offer on, restrictions to report.

Pure helpers around Catalog Items `searchCatalogItems` (by identifiers) and Listings
Restrictions `getListingsRestrictions`: the job layer makes the calls, these decide what to ask
and turn the answers into ASIN choices and seller-facing problems before anything is submitted.
"""

from __future__ import annotations

import re

from mapping.attributes import gtin_type
from mapping.marketplaces import marketplace
from mapping.messages import N_, say
from mapping.problems import ERROR, WARNING, Problem

_TYPES = {"upc": "UPC", "ean": "EAN", "gtin": "GTIN"}


def identifier_lookups(product: dict, marketplace_id: str) -> list[dict]:
    """One searchCatalogItems query per variant with a valid GTIN: sku, identifiersType, id.

    On Amazon.co.jp an EAN-13 starting 45 or 49 is a JAN and is searched as such.
    """
    queries = []
    japanese = marketplace(marketplace_id).country == "JP"
    for variant in product.get("variants") or []:
        if not isinstance(variant, dict):
            continue
        code = re.sub(r"[\s-]", "", str(variant.get("barcode") or ""))
        kind = gtin_type(code, []) if code else None
        if kind is None:
            continue
        kind_name = _TYPES[kind]
        if japanese and kind == "ean" and code[:2] in ("45", "49"):
            kind_name = "JAN"
        queries.append(
            {
                "sku": variant.get("sku") or "",
                "identifiersType": kind_name,
                "identifier": code,
                "marketplaceIds": [marketplace_id],
            }
        )
    return queries


def asin_matches(search_response: dict, queries: list[dict]) -> dict[str, list[str]]:
    """SKU -> ASINs found for its identifier in a searchCatalogItems response (items[].asin and
    items[].identifiers[].identifiers[].identifier)."""
    by_code: dict[str, list[str]] = {}
    for item in search_response.get("items") or []:
        asin = item.get("asin")
        for group in item.get("identifiers") or []:
            for entry in group.get("identifiers") or []:
                code = str(entry.get("identifier") or "")
                if asin and asin not in by_code.setdefault(code, []):
                    by_code[code].append(asin)
    return {q["sku"]: by_code.get(q["identifier"], []) for q in queries}


def restriction_problems(
    sku: str, marketplace_id: str, response: dict, condition_type: str = "new_new"
) -> list[Problem]:
    """Problems from getListingsRestrictions: approval needed, not eligible, ASIN unknown."""
    site = marketplace(marketplace_id).site
    problems = []
    for restriction in response.get("restrictions") or []:
        if restriction.get("marketplaceId") not in (None, marketplace_id):
            continue
        if restriction.get("conditionType") not in (None, condition_type):
            continue
        for reason in restriction.get("reasons") or []:
            code = reason.get("reasonCode") or "RESTRICTED"
            link = next(
                (lk.get("resource") for lk in reason.get("links") or [] if lk.get("resource")), None
            )
            if code == "APPROVAL_REQUIRED" and link:
                fix = say(
                    N_("Request approval in Seller Central (%(link)s), then publish."), link=link
                )
            elif code == "APPROVAL_REQUIRED":
                fix = say(N_("Request approval in Seller Central, then publish."))
            elif code == "ASIN_NOT_FOUND":
                fix = say(N_("Create a new product instead of an offer on this ASIN."))
            else:
                fix = say(N_("This product or brand cannot be listed by your account here."))
            problems.append(
                Problem(
                    "merchant_suggested_asin",
                    marketplace_id,
                    f"restricted_{code.lower()}",
                    say(
                        N_("%(site)s restricts SKU %(sku)s: %(reason)s"),
                        site=site,
                        sku=sku,
                        reason=reason.get("message") or code,
                    ),
                    fix,
                    severity=WARNING if code == "ASIN_NOT_FOUND" else ERROR,
                    path="merchant_suggested_asin",
                )
            )
    return problems
