"""A product's mapping problems come back in the reader's language: stored ones and live ones."""

from __future__ import annotations

from mapping.schema_validation import ProductTypeSchema
from tests.web.conftest import US, add_product

SCHEMA = {
    "$id": "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/HOME",
    "type": "object",
    "required": ["brand"],
    "properties": {"brand": {"title": "Brand Name", "type": "array"}},
}
OLD_ROW = {  # stored before problems carried their template: shown as it was written
    "attribute": "item_name",
    "marketplace_id": US,
    "code": "missing",
    "message": "Amazon.com needs item_name.",
    "fix": "Map a value for item_name in the mapping profile.",
}


def _product(shop):
    [missing] = ProductTypeSchema.from_schema(SCHEMA, marketplace_id=US).validate({})
    return add_product(
        shop, "Vase", "P-1", status="problems", problems=[missing.to_dict(), OLD_ROW]
    )


def _us(client, product, headers, query=""):
    detail = client.get(f"/api/products/{product.id}{query}", headers=headers).json
    return next(m for m in detail["marketplaces"] if m["marketplace_id"] == US)


def test_problems_read_in_chinese_for_a_chinese_admin(client, shop_a, bearer):
    product = _product(shop_a)
    us = _us(client, product, bearer(shop_a), "?locale=zh-CN")
    stored, old = us["listings"][0]["local_problems"]
    assert stored["message"] == "Amazon.com 要求 HOME 商品提供 Brand Name（brand）。"
    assert stored["fix"] == "请在映射配置中为 brand 映射一个值。"
    assert (old["message"], old["fix"]) == (OLD_ROW["message"], OLD_ROW["fix"])
    # the live plan: no HOME definition is stored for this marketplace yet
    [live] = us["plan"][0]["problems"]
    assert live["code"] == "no_schema"
    assert live["message"] == "尚未加载亚马逊在此站点的 HOME 定义。"
    assert live["fix"] == "请运行一次校验：Crossport 会从亚马逊获取该定义。"


def test_problems_read_in_english_otherwise(client, shop_a, bearer):
    product = _product(shop_a)
    headers = {**bearer(shop_a), "Accept-Language": "de-DE"}
    us = _us(client, product, headers)
    stored, old = us["listings"][0]["local_problems"]
    assert stored["message"] == "Amazon.com needs Brand Name (brand) for a HOME product."
    assert stored["fix"] == "Map a value for brand in the mapping profile."
    assert old["message"] == OLD_ROW["message"]
    [live] = us["plan"][0]["problems"]
    assert live["message"] == "Amazon's HOME definition for this marketplace is not loaded."
