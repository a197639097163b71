"""Product-type suggestions: what to ask searchDefinitionsProductTypes, and how to rank answers.

Amazon takes either `itemName` (a title, for its recommendation) or `keywords` (never both), so
the job layer asks twice: once by title, once by the store's category and tags. Types found by
both come first; a type the shop already maps comes before others.
"""

from __future__ import annotations

import re

MAX_KEYWORDS = 5


def suggestion_queries(product: dict, marketplace_id: str) -> list[dict]:
    """Query parameters for searchDefinitionsProductTypes: by item name, then by keywords."""
    queries = []
    title = str(product.get("title") or "").strip()
    if title:
        queries.append({"itemName": title[:200], "marketplaceIds": [marketplace_id]})
    words: list[str] = []
    for source in [product.get("category"), *(product.get("tags") or [])]:
        for word in re.findall(r"[^\W\d_]{3,}", str(source or "").lower()):
            if word not in words:
                words.append(word)
    if words:
        queries.append({"keywords": words[:MAX_KEYWORDS], "marketplaceIds": [marketplace_id]})
    return queries


def rank_suggestions(answers: list[dict], mapped: set[str] | frozenset = frozenset()) -> list[dict]:
    """Product types from several ProductTypeList answers, best first, each once.

    Each result is {"name", "displayName", "found_by": n, "mapped": bool}.
    """
    seen: dict[str, dict] = {}
    order: list[str] = []
    for answer in answers:
        for item in answer.get("productTypes") or []:
            name = item.get("name")
            if not name:
                continue
            if name not in seen:
                seen[name] = {
                    "name": name,
                    "displayName": item.get("displayName") or name,
                    "found_by": 0,
                    "mapped": name in mapped,
                }
                order.append(name)
            seen[name]["found_by"] += 1
    return sorted(
        (seen[n] for n in order),
        key=lambda s: (not s["mapped"], -s["found_by"], order.index(s["name"])),
    )
