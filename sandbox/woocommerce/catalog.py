"""Products and variations of the emulated store, in the REST shapes of the official docs."""

from __future__ import annotations

import copy
from decimal import Decimal

from sandbox.woocommerce.state import StoreState, meta_list, touch, wc_time


class RestError(Exception):
    """A WP REST error answer: code, message, status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _image(state: StoreState, src: str) -> dict:
    stamp = wc_time(state.now())
    return {
        "id": state.next_id(),
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
        "src": src,
        "name": "",
        "alt": "",
    }


def _skus_in_use(state: StoreState, exclude: int) -> set[str]:
    items = list(state.products.values()) + list(state.variations.values())
    return {i["sku"] for i in items if i["sku"] and i["id"] != exclude}


def _apply_common(state: StoreState, item: dict, data: dict) -> None:
    """Fields shared by products and variations: SKU, prices, stock, weight, dimensions, meta."""
    if "sku" in data:
        sku = str(data["sku"] or "")
        if sku and sku in _skus_in_use(state, item["id"]):
            raise RestError("product_invalid_sku", "Invalid or duplicated SKU.")
        item["sku"] = sku
    for key in ("regular_price", "sale_price", "weight", "description", "status", "tax_class"):
        if key in data:
            item[key] = "" if data[key] is None else str(data[key])
    for key in ("manage_stock", "virtual", "downloadable"):
        if key in data:
            item[key] = bool(data[key])
    if "stock_quantity" in data:
        item["stock_quantity"] = (
            None if data["stock_quantity"] is None else int(data["stock_quantity"])
        )
    if "stock_status" in data:
        item["stock_status"] = data["stock_status"]
    if "dimensions" in data:
        item["dimensions"] = {
            k: str((data["dimensions"] or {}).get(k, "")) for k in ("length", "width", "height")
        }
    if "meta_data" in data:
        item["meta_data"] = meta_list(state, data["meta_data"], item["meta_data"])
    derive_prices_and_stock(item)


def derive_prices_and_stock(item: dict) -> None:
    """Recompute the read-only price, on_sale and stock_status as WooCommerce does on save."""
    item["price"] = item["sale_price"] or item["regular_price"]
    item["on_sale"] = bool(item["sale_price"]) and item["sale_price"] != item["regular_price"]
    item["purchasable"] = item["price"] != ""
    if item["manage_stock"] and item["stock_quantity"] is not None:
        item["stock_status"] = "instock" if item["stock_quantity"] > 0 else "outofstock"


def _blank(state: StoreState, ident: int) -> dict:
    stamp = wc_time(state.now())
    return {
        "id": ident,
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
        "description": "",
        "sku": "",
        "price": "",
        "regular_price": "",
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": False,
        "status": "publish",
        "purchasable": False,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "menu_order": 0,
        "meta_data": [],
    }


def create_product(state: StoreState, data: dict) -> dict:
    if not data.get("name") and data.get("type", "simple") != "variation":
        data = {**data, "name": "Product"}
    ident = state.next_id()
    product = _blank(state, ident)
    product.update(
        {
            "name": "",
            "slug": "",
            "permalink": "",
            "type": data.get("type", "simple"),
            "featured": False,
            "catalog_visibility": "visible",
            "short_description": "",
            "price_html": "",
            "total_sales": 0,
            "external_url": "",
            "button_text": "",
            "sold_individually": False,
            "shipping_required": True,
            "shipping_taxable": True,
            "reviews_allowed": True,
            "average_rating": "0.00",
            "rating_count": 0,
            "related_ids": [],
            "upsell_ids": [],
            "cross_sell_ids": [],
            "parent_id": 0,
            "purchase_note": "",
            "categories": [],
            "tags": [],
            "images": [],
            "attributes": [],
            "default_attributes": [],
            "variations": [],
            "grouped_products": [],
        }
    )
    state.products[ident] = product
    try:
        update_product(state, ident, data, stamp=False)
    except RestError:
        del state.products[ident]
        raise
    return product


def update_product(state: StoreState, ident: int, data: dict, stamp: bool = True) -> dict:
    product = state.products.get(ident)
    if product is None:
        raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    for key in ("name", "short_description", "type", "catalog_visibility"):
        if key in data:
            product[key] = data[key]
    if "name" in data:
        product["slug"] = "-".join(str(data["name"]).lower().split())
        product["permalink"] = f"{state.base()}/product/{product['slug']}/"
    if "categories" in data:
        product["categories"] = [
            {"id": c.get("id", 0), "name": c.get("name", ""), "slug": c.get("slug", "")}
            for c in data["categories"]
        ]
    if "tags" in data:
        product["tags"] = [
            {"id": t.get("id", 0), "name": t.get("name", ""), "slug": t.get("slug", "")}
            for t in data["tags"]
        ]
    if "images" in data:
        product["images"] = [_image(state, i["src"]) for i in data["images"] if i.get("src")]
    if "attributes" in data:
        product["attributes"] = [
            {
                "id": a.get("id", 0),
                "name": a.get("name", ""),
                "position": n,
                "visible": a.get("visible", True),
                "variation": a.get("variation", False),
                "options": list(a.get("options", [])),
            }
            for n, a in enumerate(data["attributes"])
        ]
    _apply_common(state, product, data)
    if stamp:
        touch(product, state.now())
    sync_variable(state, product)
    return product


def sync_variable(state: StoreState, product: dict) -> None:
    """WC_Product_Variable::sync: the parent's price and stock status follow its variations."""
    if product["type"] != "variable":
        return
    children = [state.variations[v] for v in product["variations"] if v in state.variations]
    prices = [Decimal(c["price"]) for c in children if c["price"]]
    product["price"] = str(min(prices)) if prices else ""
    if children:
        in_stock = any(c["stock_status"] == "instock" for c in children)
        product["stock_status"] = "instock" if in_stock else "outofstock"


def create_variation(state: StoreState, parent_id: int, data: dict) -> dict:
    parent = state.products.get(parent_id)
    if parent is None:
        raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    ident = state.next_id()
    variation = _blank(state, ident)
    variation.update(
        {
            "permalink": parent["permalink"],
            "image": None,
            "attributes": [],
            "_parent": parent_id,
        }
    )
    state.variations[ident] = variation
    try:
        update_variation(state, parent_id, ident, data, stamp=False)
    except RestError:
        del state.variations[ident]
        raise
    parent["variations"].append(ident)
    touch(parent, state.now())
    sync_variable(state, parent)
    return variation


def update_variation(
    state: StoreState, parent_id: int, ident: int, data: dict, stamp: bool = True
) -> dict:
    variation = state.variations.get(ident)
    if variation is None or variation["_parent"] != parent_id:
        raise RestError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
    if "attributes" in data:
        variation["attributes"] = [
            {"id": a.get("id", 0), "name": a.get("name", ""), "option": a.get("option", "")}
            for a in data["attributes"]
        ]
    if "image" in data:
        src = (data["image"] or {}).get("src")
        variation["image"] = _image(state, src) if src else None
    _apply_common(state, variation, data)
    if stamp:
        now = state.now()
        touch(variation, now)
        # Saving a variation syncs and saves its parent, so the parent is modified too.
        touch(state.products[parent_id], now)
    sync_variable(state, state.products[parent_id])
    return variation


def delete_product(state: StoreState, ident: int) -> dict:
    product = state.products.pop(ident, None)
    if product is None:
        raise RestError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    for child in product["variations"]:
        state.variations.pop(child, None)
    return product


def stock_source(state: StoreState, variation: dict) -> dict:
    """Whose stock a variation sells from: a variation with manage_stock off under a parent that
    manages stock sells the parent's, and REST shows manage_stock "parent" with the parent's
    quantity (captures/products/create-variation-parent-stock.json)."""
    parent = state.products.get(variation.get("_parent", 0))
    if not variation["manage_stock"] and parent is not None and parent["manage_stock"]:
        return parent
    return variation


def _show_stock(state: StoreState, variation: dict, out: dict) -> None:
    source = stock_source(state, variation)
    if source is not variation:
        out["manage_stock"] = "parent"
        out["stock_quantity"] = source["stock_quantity"]
        out["stock_status"] = source["stock_status"]


def variation_as_product(state: StoreState, variation: dict) -> dict:
    """A variation in the *product* schema, as `GET /products/{variation id}`, `GET /products?sku=`
    and every product.* delivery of a variation show it: type "variation", parent_id, the name
    "Parent - Red, S", images[] (its own image, else the parent's), empty categories, and
    `_links.self` under /products (captures/products/get-products-endpoint-with-variation-id-
    variation-stock.json and -parent-stock.json; webhooks/scenario-variation-stock-rest.json)."""
    parent = state.products[variation["_parent"]]
    options = [str(a.get("option", "")) for a in variation.get("attributes") or []]
    name = f"{parent['name']} - {', '.join(options)}" if options else parent["name"]
    query = "&".join(
        f"attribute_{str(a.get('name', '')).lower()}={str(a.get('option', '')).lower()}"
        for a in variation.get("attributes") or []
    )
    image = variation.get("image")
    out = {
        **{k: copy.deepcopy(v) for k, v in parent.items() if not k.startswith("_")},
        **{k: copy.deepcopy(v) for k, v in variation.items() if not k.startswith("_")},
    }
    del out["image"]
    _show_stock(state, variation, out)
    api = f"{state.base()}/wp-json/wc/v3"
    out.update(
        {
            "name": name,
            "slug": "-".join(name.lower().replace(",", "").replace(" - ", " ").split()),
            "permalink": parent["permalink"] + (f"?{query}" if query else ""),
            "type": "variation",
            "parent_id": parent["id"],
            "featured": False,
            "short_description": "",
            "reviews_allowed": False,
            "total_sales": "0",  # a string for a variation, a number for a product (captures)
            "related_ids": [],
            "upsell_ids": [],
            "cross_sell_ids": [],
            "categories": [],
            "tags": [],
            "images": [copy.deepcopy(image)] if image else copy.deepcopy(parent["images"][:1]),
            "default_attributes": [],
            "variations": [],
            "grouped_products": [],
            "_links": {
                "self": [{"href": f"{api}/products/{variation['id']}"}],
                "collection": [{"href": f"{api}/products"}],
                "up": [{"href": f"{api}/products/{parent['id']}"}],
            },
        }
    )
    return out


def product_view(state: StoreState, ident: int) -> dict | None:
    """What `GET /products/{ident}` answers: a product, or a variation in the product schema
    (the real store answers a variation id there too; see variation_as_product)."""
    if ident in state.products:
        return public(state, state.products[ident], "product")
    if ident in state.variations:
        return variation_as_product(state, state.variations[ident])
    return None


def delete_variation(state: StoreState, parent_id: int, ident: int) -> dict:
    variation = state.variations.get(ident)
    if variation is None or variation["_parent"] != parent_id:
        raise RestError("woocommerce_rest_product_variation_invalid_id", "Invalid ID.", 404)
    del state.variations[ident]
    parent = state.products[parent_id]
    parent["variations"] = [v for v in parent["variations"] if v != ident]
    sync_variable(state, parent)
    return variation


def public(state: StoreState, item: dict, kind: str) -> dict:
    """A copy fit to answer with: internal fields removed, `_links` added."""
    out = {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}
    if kind == "product" and item.get("type") == "variation":
        kind = "variation"
    api = f"{state.base()}/wp-json/wc/v3"
    if kind == "variation":
        _show_stock(state, item, out)
        parent = item["_parent"]
        out["_links"] = {
            "self": [{"href": f"{api}/products/{parent}/variations/{item['id']}"}],
            "collection": [{"href": f"{api}/products/{parent}/variations"}],
            "up": [{"href": f"{api}/products/{parent}"}],
        }
    else:
        out["_links"] = {
            "self": [{"href": f"{api}/{kind}s/{item['id']}"}],
            "collection": [{"href": f"{api}/{kind}s"}],
        }
    return out
