"""Webhook bodies shaped like ../shared/specs/shopify/webhooks/ (snake_case, numeric ids)."""

from __future__ import annotations

from sandbox.shopify.order_views import fulfilment_status, order_totals
from sandbox.shopify.state import ShopState, gid

WEIGHT_GRAMS = {"KILOGRAMS": 1000, "GRAMS": 1, "POUNDS": 453.592, "OUNCES": 28.3495}


def product_payload(shop: ShopState, p: dict) -> dict:
    variants = [shop.variants[v] for v in p["variant_ids"] if v in shop.variants]
    images = [
        {
            "id": img["id"],
            "admin_graphql_api_id": gid("ProductImage", img["id"]),
            "product_id": p["id"],
            "position": n,
            "created_at": p["createdAt"],
            "updated_at": p["updatedAt"],
            "alt": img.get("altText"),
            "width": 1200,
            "height": 1200,
            "src": img["url"],
            "variant_ids": [v["id"] for v in variants if v.get("image_id") == img["id"]],
        }
        for n, img in enumerate(p.get("images", []), start=1)
    ]
    return {
        "admin_graphql_api_id": gid("Product", p["id"]),
        "body_html": p["descriptionHtml"],
        "created_at": p["createdAt"],
        "handle": p["handle"],
        "id": p["id"],
        "product_type": p["productType"],
        "published_at": p["createdAt"],
        "template_suffix": None,
        "title": p["title"],
        "updated_at": p["updatedAt"],
        "vendor": p["vendor"],
        "status": p["status"].lower(),
        "published_scope": "web",
        "tags": ", ".join(p["tags"]),
        "variants": [_variant(shop, v) for v in variants],
        "options": [
            {
                "name": o["name"],
                "id": p["id"] * 10 + i,
                "product_id": p["id"],
                "position": i + 1,
                "values": o["values"],
            }
            for i, o in enumerate(p["options"])
        ],
        "images": images,
        "image": images[0] if images else None,
        "media": [],
        "variant_gids": [
            {"admin_graphql_api_id": gid("ProductVariant", v["id"]), "updated_at": v["updatedAt"]}
            for v in variants
        ],
        "has_variants_that_requires_components": False,
        "category": None,
    }


def _variant(shop: ShopState, v: dict) -> dict:
    opts = (list(v["options"].values()) or ["Default Title"]) + [None, None, None]
    return {
        "admin_graphql_api_id": gid("ProductVariant", v["id"]),
        "barcode": v.get("barcode"),
        "compare_at_price": v.get("compareAtPrice"),
        "created_at": v["createdAt"],
        "id": v["id"],
        "inventory_policy": "deny",
        "position": v["position"],
        "price": v["price"],
        "product_id": v["product_id"],
        "sku": v["sku"],
        "taxable": True,
        "title": " / ".join(v["options"].values()) or "Default Title",
        "updated_at": v["updatedAt"],
        "option1": opts[0],
        "option2": opts[1],
        "option3": opts[2],
        "image_id": v.get("image_id"),
        "inventory_item_id": v["inventory_item_id"],
        "inventory_quantity": shop.available(v["inventory_item_id"]),
        "old_inventory_quantity": shop.available(v["inventory_item_id"]),
    }


def product_delete_payload(product_id: int) -> dict:
    return {"id": product_id}


def inventory_level_payload(item_id: int, location_id: int, available: int, at: str) -> dict:
    return {
        "inventory_item_id": item_id,
        "location_id": location_id,
        "available": available,
        "updated_at": at,
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}"
        f"?inventory_item_id={item_id}",
    }


def fulfilment_payload(shop: ShopState, f: dict) -> dict:
    order = shop.orders[f["order_id"]]
    by_id = {li["id"]: li for li in order["lines"]}
    tracking = f["tracking"]
    return {
        "id": f["id"],
        "admin_graphql_api_id": gid("Fulfillment", f["id"]),
        "order_id": order["id"],
        "name": f["name"],
        "status": f["status"].lower(),
        "created_at": f["createdAt"],
        "updated_at": f["updatedAt"],
        "service": "manual",
        "location_id": f["location_id"],
        "shipment_status": None,
        "origin_address": None,
        "email": order["email"] or "",
        "destination": rest_address(order["shippingAddress"]),
        "tracking_company": tracking[0]["company"] if tracking else None,
        "tracking_number": tracking[0]["number"] if tracking else None,
        "tracking_numbers": [t["number"] for t in tracking if t["number"]],
        "tracking_url": tracking[0]["url"] if tracking else None,
        "tracking_urls": [t["url"] for t in tracking if t["url"]],
        "receipt": {},
        "line_items": [_line(order, by_id[lid], qty) for lid, qty in f["lines"]],
    }


def _line(order: dict, li: dict, quantity: int | None = None) -> dict:
    cur = order["currency"]
    return {
        "id": li["id"],
        "admin_graphql_api_id": gid("LineItem", li["id"]),
        "variant_id": li.get("variant_id"),
        "product_id": li.get("product_id"),
        "title": li["title"],
        "name": li["title"],
        "quantity": li["quantity"] if quantity is None else quantity,
        "sku": li.get("sku"),
        "requires_shipping": li["requiresShipping"],
        "taxable": li["taxable"],
        "gift_card": False,
        "price": li["price"],
        "price_set": {
            "shop_money": {"amount": li["price"], "currency_code": cur},
            "presentment_money": {"amount": li["price"], "currency_code": cur},
        },
        "fulfillment_status": "fulfilled" if li["fulfilled"] >= li["quantity"] else None,
        "fulfillable_quantity": li["quantity"] - li["fulfilled"],
        "tax_lines": [
            {
                "title": t["title"],
                "rate": float(t["rate"]),
                "price": t["amount"],
                "channel_liable": t.get("channelLiable", False),
            }
            for t in li["taxLines"]
        ],
    }


def order_payload(shop: ShopState, o: dict) -> dict:
    totals = order_totals(o)
    status = fulfilment_status(o)
    return {
        "id": o["id"],
        "admin_graphql_api_id": gid("Order", o["id"]),
        "name": o["name"],
        "order_number": o["number"],
        "created_at": o["createdAt"],
        "updated_at": o["updatedAt"],
        "cancelled_at": o["cancelledAt"],
        "cancel_reason": (o["cancelReason"] or "").lower() or None,
        "currency": o["currency"],
        "source_name": o["sourceName"],
        "source_identifier": o["sourceIdentifier"],
        "tags": ", ".join(o["tags"]),
        "note": o["note"],
        "email": o["email"],
        "subtotal_price": totals["subtotal"],
        "total_tax": totals["tax"],
        "total_price": totals["total"],
        "taxes_included": o["taxesIncluded"],
        "financial_status": o["financialStatus"].lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(
            status
        ),
        "line_items": [_line(o, li) for li in o["lines"]],
        "fulfillments": [
            fulfilment_payload(shop, shop.fulfillments[i]) for i in o["fulfillment_ids"]
        ],
    }


def rest_address(a: dict | None) -> dict | None:
    """A MailingAddressInput as the REST address webhooks carry."""
    if not a:
        return None
    name = " ".join(x for x in (a.get("firstName"), a.get("lastName")) if x)
    fields = {
        "first_name": "firstName",
        "last_name": "lastName",
        "address1": "address1",
        "address2": "address2",
        "city": "city",
        "zip": "zip",
        "province": "provinceCode",
        "province_code": "provinceCode",
        "country": "countryCode",
        "country_code": "countryCode",
        "phone": "phone",
        "company": "company",
    }
    # Shopify's documented payload has strings here; an absent value is an empty string.
    out = {rest: a.get(ours) or "" for rest, ours in fields.items()}
    return {**out, "name": name, "latitude": None, "longitude": None}


def shop_payload(shop: ShopState) -> dict:
    return {
        "id": abs(hash(shop.domain)) % 10**9,
        "name": shop.name,
        "email": f"owner@{shop.domain}",
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "currency": shop.currency,
        "primary_locale": "en",
        "country_code": "US",
        "plan_name": "basic",
    }
