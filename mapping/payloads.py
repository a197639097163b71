"""The exact Amazon request bodies: putListingsItem, patchListingsItem, JSON_LISTINGS_FEED."""

from __future__ import annotations

from typing import Any

LISTING, OFFER_ONLY, PRODUCT_ONLY = "LISTING", "LISTING_OFFER_ONLY", "LISTING_PRODUCT_ONLY"
FEED_VERSION = "2.0"
# Attributes an offer on an existing ASIN carries (sales terms, not product facts).
OFFER_ATTRIBUTES = (
    "condition_type",
    "condition_note",
    "purchasable_offer",
    "list_price",
    "fulfillment_availability",
    "merchant_shipping_group",
    "merchant_suggested_asin",
    "skip_offer",
    "max_order_quantity",
    "product_tax_code",
)


def put_body(product_type: str, attributes: dict, requirements: str = LISTING) -> dict:
    """The body of putListingsItem (a full replace of the SKU's listing)."""
    return {"productType": product_type, "requirements": requirements, "attributes": attributes}


def offer_only_attributes(
    attributes: dict, asin: str, marketplace_id: str, condition_type: str = "new_new"
) -> dict:
    """Sales-terms attributes for offering on an existing ASIN (LISTING_OFFER_ONLY)."""
    offer = {k: v for k, v in attributes.items() if k in OFFER_ATTRIBUTES}
    offer["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": marketplace_id}]
    offer.setdefault(
        "condition_type", [{"value": condition_type, "marketplace_id": marketplace_id}]
    )
    return offer


# Attributes whose entries Amazon keys by selectors and where the seller may hold entries Crossport
# does not manage: purchasable_offer has one entry per audience, and a B2B (Amazon Business) offer
# set in Seller Central must survive a price change of the "ALL" offer. Sent as `merge`, which
# updates only the entries with the same selector values (marketplace, currency, audience).
MERGED_ATTRIBUTES = frozenset({"purchasable_offer"})
OFFER_SELECTORS = ("marketplace_id", "currency", "audience")  # purchasable_offer's, in the schemas


def patches_for(old: dict, new: dict) -> list[dict]:
    """JSON Patch operations that turn the listing's `old` attributes into `new` ones."""
    patches = []
    for name in sorted(new):
        if old.get(name) != new[name]:
            op = "merge" if _mergeable(name, old.get(name), new[name]) else "replace"
            patches.append({"op": op, "path": f"/attributes/{name}", "value": new[name]})
    for name in sorted(set(old) - set(new)):
        value = old[name]
        patches.append(
            {
                "op": "delete",
                "path": f"/attributes/{name}",
                "value": value if isinstance(value, list) else [value],
            }
        )
    return patches


def _mergeable(name: str, old: Any, new: Any) -> bool:
    """Merge when it ends as replace would on our own entries: every old entry is met by a new one
    with the same selector values that gives all its fields again (merge keeps an entry or a field
    not given, so a currency change or a dropped field needs a replace)."""
    if name not in MERGED_ATTRIBUTES or not isinstance(old, list) or not isinstance(new, list):
        return False
    fresh = {_selected(entry): set(entry) for entry in new if isinstance(entry, dict)}
    return all(
        isinstance(entry, dict) and set(entry) <= fresh.get(_selected(entry), set())
        for entry in old
    )


def _selected(entry: dict) -> tuple:
    return tuple(entry.get(key) for key in OFFER_SELECTORS)


def published_quantity(payload: dict) -> int | None:
    """The seller-fulfilled quantity a listing payload carries (None when it carries none, e.g.
    an FBA or a parent listing): what the stock sync then knows Amazon holds."""
    for entry in (payload.get("attributes") or {}).get("fulfillment_availability") or []:
        if entry.get("fulfillment_channel_code") == "DEFAULT" and "quantity" in entry:
            return int(entry["quantity"])
    return None


def patch_body(product_type: str, patches: list[dict]) -> dict:
    """The body of patchListingsItem."""
    return {"productType": product_type, "patches": patches}


def feed_message(
    message_id: int,
    sku: str,
    operation: str,
    product_type: str | None = None,
    attributes: dict | None = None,
    requirements: str | None = None,
    patches: list[dict] | None = None,
) -> dict:
    """One message of a JSON_LISTINGS_FEED (UPDATE, PARTIAL_UPDATE, PATCH or DELETE)."""
    message: dict[str, Any] = {"messageId": message_id, "sku": sku, "operationType": operation}
    if operation == "DELETE":
        return message
    message["productType"] = product_type
    if operation == "PATCH":
        message["patches"] = patches or []
        return message
    if operation == "UPDATE":
        message["requirements"] = requirements or LISTING
    message["attributes"] = attributes or {}
    return message


def feed_document(
    seller_id: str, messages: list[dict], issue_locale: str | None = None, report: bool = False
) -> dict:
    """A whole JSON_LISTINGS_FEED document; messageIds are renumbered 1..n if missing."""
    header: dict[str, Any] = {"sellerId": seller_id, "version": FEED_VERSION}
    if issue_locale:
        header["issueLocale"] = issue_locale
    if report:
        header["report"] = {"includedData": ["issues", "summaries"], "apiVersion": "2021-08-01"}
    numbered = [
        m if m.get("messageId") else {**m, "messageId": i} for i, m in enumerate(messages, start=1)
    ]
    return {"header": header, "messages": numbered}
