"""Catalogue records as GraphQL-resolvable dicts: products, variants, inventory, locations.

graphql-core's default resolver reads dict keys and calls callables with (info, **args), so
a field with arguments (a connection, a translation) is a function in the view.
"""

from __future__ import annotations

from sandbox.shopify.connections import connection, matches, parse_search
from sandbox.shopify.field_views import metafield_views, plain_text
from sandbox.shopify.state import ShopState, gid, gid_number

QUANTITY_NAMES = ("available", "on_hand", "committed", "incoming", "reserved")


class CatalogViews:
    """Builds views over one shop's catalogue."""

    def __init__(self, shop: ShopState):
        self.shop = shop

    def image(self, img: dict | None) -> dict | None:
        if img is None:
            return None
        url = img["url"]
        return {
            "__typename": "Image",
            "id": gid("ProductImage", img["id"]),
            "url": lambda info, **_: url,
            "src": url,
            "originalSrc": url,
            "transformedSrc": lambda info, **_: url,
            "altText": img.get("altText"),
            "width": 1200,
            "height": 1200,
        }

    def media_image(self, img: dict) -> dict:
        """A product image as the MediaImage that Product.media and ProductVariant.media list
        (2026-07 schema: Product.images and ProductVariant.image say "Use `media` instead.")."""
        return {
            "__typename": "MediaImage",
            "id": gid("MediaImage", img["id"]),
            "alt": img.get("altText"),
            "mediaContentType": "IMAGE",
            "status": "READY",
            "image": self.image(img),
            "preview": {"image": self.image(img), "status": "READY"},
        }

    def product(self, p: dict) -> dict:
        shop = self.shop
        metafields, metafield = metafield_views(p, gid("Product", p["id"]))
        variants = [shop.variants[v] for v in p["variant_ids"] if v in shop.variants]
        images = p.get("images", [])

        def translations(info, locale, marketId=None):
            texts = p.get("translations", {}).get(locale, {})
            return [
                {"key": k, "value": v, "locale": locale, "outdated": False, "updatedAt": None}
                for k, v in texts.items()
            ]

        def media(info, **page):
            page.pop("query", None)
            page.pop("sortKey", None)
            return connection(images, self.media_image, info, key=lambda i: i["id"], **page)

        total = sum(shop.available(v["inventory_item_id"]) for v in variants)
        return {
            "__typename": "Product",
            "id": gid("Product", p["id"]),
            "legacyResourceId": str(p["id"]),
            "title": p["title"],
            "handle": p["handle"],
            "descriptionHtml": p["descriptionHtml"],
            "bodyHtml": p["descriptionHtml"],
            "description": lambda info, truncateAt=None: plain_text(
                p["descriptionHtml"], truncateAt
            ),
            "vendor": p["vendor"],
            "productType": p["productType"],
            "tags": p["tags"],
            "status": p["status"],
            "createdAt": p["createdAt"],
            "updatedAt": p["updatedAt"],
            "publishedAt": p["createdAt"],
            "totalInventory": total,
            "tracksInventory": True,
            "hasOnlyDefaultVariant": len(variants) == 1 and not p["options"],
            "options": lambda info, first=None: [
                {
                    "id": gid("ProductOption", p["id"] * 10 + i),
                    "name": o["name"],
                    "position": i + 1,
                    "values": o["values"],
                    "optionValues": [
                        {
                            "id": gid("ProductOptionValue", p["id"] * 100 + j),
                            "name": v,
                            "hasVariants": True,
                        }
                        for j, v in enumerate(o["values"])
                    ],
                }
                for i, o in enumerate(p["options"][:first] if first else p["options"])
            ],
            "variants": lambda info, **page: connection(
                variants, self.variant, info, key=lambda v: v["id"], **page
            ),
            "variantsCount": {"count": len(variants), "precision": "EXACT"},
            "images": lambda info, **page: connection(
                images,
                self.image,
                info,
                key=lambda i: i["id"],
                **{k: v for k, v in page.items() if k in _PAGE_ARGS},
            ),
            "featuredImage": self.image(images[0]) if images else None,
            "media": media,
            "metafields": metafields,
            "metafield": metafield,
            "translations": translations,
            "onlineStoreUrl": None,
        }

    def variant(self, v: dict) -> dict:
        shop = self.shop
        metafields, metafield = metafield_views(v, gid("ProductVariant", v["id"]))
        product = shop.products[v["product_id"]]
        image = next((i for i in product.get("images", []) if i["id"] == v.get("image_id")), None)
        title = " / ".join(v["options"].values()) or "Default Title"
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", v["id"]),
            "legacyResourceId": str(v["id"]),
            "title": title,
            "displayName": f"{product['title']} - {title}",
            "sku": v["sku"],
            "barcode": v.get("barcode"),
            "price": v["price"],
            "compareAtPrice": v.get("compareAtPrice"),
            "position": v["position"],
            "taxable": True,
            "availableForSale": shop.available(v["inventory_item_id"]) > 0,
            "inventoryPolicy": "DENY",
            "inventoryQuantity": shop.available(v["inventory_item_id"]),
            "selectedOptions": [{"name": k, "value": val} for k, val in v["options"].items()],
            "createdAt": v["createdAt"],
            "updatedAt": v["updatedAt"],
            "product": lambda info: self.product(product),
            "inventoryItem": lambda info: self.item(shop.items[v["inventory_item_id"]]),
            "image": lambda info, **_: self.image(image),
            "media": lambda info, **page: connection(
                [image] if image else [], self.media_image, info, key=lambda i: i["id"], **page
            ),
            "metafields": metafields,
            "metafield": metafield,
            "translations": lambda info, locale, marketId=None: [],
        }

    def item(self, item: dict) -> dict:
        shop = self.shop
        variant = shop.variants.get(item["variant_id"])
        levels = [(loc_id, item) for loc_id in item["levels"]]
        weight = item.get("weight")

        def inventory_levels(info, query=None, includeInactive=None, **page):
            return connection(levels, self.level, info, key=lambda pair: pair[0], **page)

        def inventory_level(info, locationId, includeInactive=None):
            loc_id = gid_number(locationId)
            return self.level((loc_id, item)) if loc_id in item["levels"] else None

        return {
            "__typename": "InventoryItem",
            "id": gid("InventoryItem", item["id"]),
            "legacyResourceId": str(item["id"]),
            "sku": variant["sku"] if variant else None,
            "tracked": item.get("tracked", True),
            "requiresShipping": item.get("requiresShipping", True),
            "createdAt": item["updatedAt"],
            "updatedAt": item["updatedAt"],
            "measurement": {
                "id": gid("InventoryItemMeasurement", item["id"]),
                "weight": dict(weight) if weight else None,
            },
            "inventoryLevels": inventory_levels,
            "inventoryLevel": inventory_level,
            "variant": lambda info: self.variant(variant) if variant else None,
        }

    def level(self, pair: tuple[int, dict]) -> dict:
        loc_id, item = pair
        qty = item["levels"][loc_id]

        def quantities(info, names):
            known = {"available": qty, "on_hand": qty}
            return [
                {
                    "id": gid("InventoryQuantity", item["id"] * 10 + i),
                    "name": n,
                    "quantity": known.get(n, 0),
                    "updatedAt": item["updatedAt"],
                }
                for i, n in enumerate(names)
                if n in QUANTITY_NAMES
            ]

        return {
            "__typename": "InventoryLevel",
            "id": f"gid://shopify/InventoryLevel/{loc_id}?inventory_item_id={item['id']}",
            "isActive": True,
            "canDeactivate": True,
            "createdAt": item["updatedAt"],
            "updatedAt": item["updatedAt"],
            "quantities": quantities,
            "location": self.location(self.shop.locations[loc_id]),
            "item": lambda info: self.item(item),
        }

    def location(self, loc: dict) -> dict:
        def inventory_levels(info, query=None, includeInactive=None, **page):
            stocked = [
                (loc["id"], item)
                for item in self.shop.items.values()
                if loc["id"] in item["levels"]
            ]
            return connection(stocked, self.level, info, key=lambda pair: pair[1]["id"], **page)

        return {
            "inventoryLevels": inventory_levels,
            "__typename": "Location",
            "id": gid("Location", loc["id"]),
            "legacyResourceId": str(loc["id"]),
            "name": loc["name"],
            "isActive": True,
            "isPrimary": loc["id"] == self.shop.primary_location()["id"],
            "fulfillsOnlineOrders": loc["fulfillsOnlineOrders"],
            "shipsInventory": loc["fulfillsOnlineOrders"],
            "hasActiveInventory": True,
        }

    # -- root lists --------------------------------------------------------------------------

    def products(self, info, query=None, sortKey=None, savedSearchId=None, **page):
        groups = parse_search(query)
        chosen = [
            p for p in self.shop.products.values() if matches(_product_field(self.shop, p), groups)
        ]
        if sortKey == "UPDATED_AT":
            chosen.sort(key=lambda p: (p["updatedAt"], p["id"]))
        return connection(chosen, self.product, info, key=lambda p: p["id"], **page)

    def variants(self, info, query=None, sortKey=None, savedSearchId=None, **page):
        groups = parse_search(query)
        chosen = [
            v
            for v in self.shop.variants.values()
            if matches(
                lambda f, v=v: {
                    "sku": v["sku"],
                    "id": v["id"],
                    "product_id": v["product_id"],
                    "updated_at": v["updatedAt"],
                }.get(f),
                groups,
            )
        ]
        return connection(chosen, self.variant, info, key=lambda v: v["id"], **page)


_PAGE_ARGS = {"first", "last", "after", "before", "reverse"}


def _product_field(shop: ShopState, p: dict):
    def read(name: str):
        if name == "sku":
            return [shop.variants[v]["sku"] for v in p["variant_ids"] if v in shop.variants]
        return {
            "updated_at": p["updatedAt"],
            "created_at": p["createdAt"],
            "status": p["status"],
            "title": p["title"],
            "id": str(p["id"]),
            "handle": p["handle"],
            "vendor": p["vendor"],
            "product_type": p["productType"],
            "tag": p["tags"],
        }.get(name)

    return read
