"""Collection queries as WP REST does them: filters, ordering, page/per_page and X-WP-* headers."""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Request, jsonify
from flask.wrappers import Response

from sandbox.woocommerce.catalog import RestError


def _stamp(value: str) -> str:
    # ISO 8601 input may carry a zone or fractions; the site runs on UTC, compare to the second.
    text = value.replace("Z", "").split("+")[0].split(".")[0]
    return text if "T" in text else text + "T00:00:00"


def filter_items(items: list[dict], args: dict) -> list[dict]:
    """Apply the date, id, sku, status, search filters common to products and orders."""
    result = items
    if args.get("modified_after"):
        bound = _stamp(args["modified_after"])
        result = [i for i in result if i["date_modified_gmt"] > bound]
    if args.get("modified_before"):
        bound = _stamp(args["modified_before"])
        result = [i for i in result if i["date_modified_gmt"] < bound]
    if args.get("after"):
        bound = _stamp(args["after"])
        result = [i for i in result if i["date_created_gmt"] > bound]
    if args.get("before"):
        bound = _stamp(args["before"])
        result = [i for i in result if i["date_created_gmt"] < bound]
    if args.get("include"):
        wanted = {int(x) for x in str(args["include"]).split(",") if x}
        result = [i for i in result if i["id"] in wanted]
    if args.get("sku"):
        wanted_skus = set(str(args["sku"]).split(","))
        result = [i for i in result if i.get("sku") in wanted_skus]
    status = args.get("status") or "any"
    if status == "any":
        # WordPress's "any" leaves out trashed posts; they are listed only with status=trash.
        result = [i for i in result if i.get("status") != "trash"]
    else:
        wanted_status = set(status.split(","))
        result = [i for i in result if i.get("status") in wanted_status]
    return result


def paged(request: Request, items: list[dict], render: Callable[[dict], dict]) -> Response:
    """Order, page and answer a collection with WordPress's paging headers and Link header."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 10))
        offset = int(request.args.get("offset", 0))
    except ValueError as exc:
        raise RestError("rest_invalid_param", "Invalid parameter(s): page") from exc
    if per_page < 1 or per_page > 100:
        raise RestError("rest_invalid_param", "Invalid parameter(s): per_page")
    if page < 1:
        raise RestError("rest_invalid_param", "Invalid parameter(s): page")
    orderby = request.args.get("orderby", "date")
    key = {
        "id": lambda i: i["id"],
        "modified": lambda i: (i["date_modified_gmt"], i["id"]),
        "title": lambda i: (i.get("name", ""), i["id"]),
    }.get(orderby, lambda i: (i.get("date_created_gmt", ""), i["id"]))
    ordered = sorted(items, key=key, reverse=request.args.get("order", "desc") == "desc")
    total = len(ordered)
    pages = max(1, math.ceil(total / per_page)) if total else 0
    start = offset + (page - 1) * per_page
    window = ordered[start : start + per_page]
    rendered = [render(i) for i in window]
    if request.args.get("_fields"):
        # WordPress's global `_fields` parameter trims every item to the listed fields.
        wanted = set(request.args["_fields"].split(","))
        rendered = [{k: v for k, v in i.items() if k in wanted} for i in rendered]
    response = jsonify(rendered)
    response.headers["X-WP-Total"] = str(total)
    response.headers["X-WP-TotalPages"] = str(pages)
    links = []
    base = request.base_url
    if page > 1:
        links.append(f'<{base}?page={page - 1}&per_page={per_page}>; rel="prev"')
    if page < pages:
        links.append(f'<{base}?page={page + 1}&per_page={per_page}>; rel="next"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response
