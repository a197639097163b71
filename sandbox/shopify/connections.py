"""Relay connections with opaque cursors, and Shopify's search syntax (field:value, OR, ranges)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence

from graphql import GraphQLError

MAX_PAGE = 250


def cursor_for(key: object) -> str:
    return base64.urlsafe_b64encode(f"cursor:{key}".encode()).decode()


def _key_of(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1]
    except Exception:
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def connection(
    items: Sequence,
    view: Callable[[object], dict],
    info,
    key: Callable[[object], object],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    reverse: bool = False,
    **_ignored,
) -> dict:
    """A page of `items` as {edges, nodes, pageInfo}; bulk queries may omit first/last."""
    bulk = (info.context or {}).get("bulk", False)
    if first is None and last is None and not bulk:
        raise GraphQLError("you must provide one of first or last")
    if (first or 0) > MAX_PAGE or (last or 0) > MAX_PAGE:
        raise GraphQLError(f"The maximum page size is {MAX_PAGE}")
    ordered = list(reversed(items)) if reverse else list(items)
    keys = [str(key(item)) for item in ordered]
    start, end = 0, len(ordered)
    if after:
        k = _key_of(after)
        start = keys.index(k) + 1 if k in keys else len(keys)
    if before:
        k = _key_of(before)
        end = keys.index(k) if k in keys else end
    window = list(range(start, end))
    if first is not None:
        window = window[:first]
    elif last is not None:
        window = window[-last:] if last else []
    edges = [{"cursor": cursor_for(keys[i]), "node": view(ordered[i])} for i in window]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1] < len(ordered) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


_TERM = re.compile(r"""(\w+):(>=|<=|>|<)?("[^"]*"|'[^']*'|\S+)""")


def parse_search(query: str | None) -> list[list[tuple[str, str, str]]]:
    """'a:1 b:>2 OR c:3' -> [[(a,=,1),(b,>,2)], [(c,=,3)]] (OR of ANDs)."""
    if not query:
        return []
    groups = []
    for part in re.split(r"\s+OR\s+", query.strip()):
        terms = [(f, op or "=", v.strip("'\"")) for f, op, v in _TERM.findall(part)]
        if terms:
            groups.append(terms)
    return groups


def matches(record_value: Callable[[str], object], groups) -> bool:
    """Whether a record passes the parsed search (unknown fields never match)."""
    if not groups:
        return True
    return any(all(_term(record_value(f), op, v) for f, op, v in terms) for terms in groups)


def _term(actual: object, op: str, wanted: str) -> bool:
    if actual is None:
        return False
    if isinstance(actual, list):
        return any(_term(a, op, wanted) for a in actual)
    a, w = str(actual), wanted
    if op == "=":
        return a.lower() == w.lower()
    # ISO timestamps and numbers compare well enough as strings of equal shape
    return {">": a > w, ">=": a >= w, "<": a < w, "<=": a <= w}[op]
