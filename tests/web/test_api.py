"""The JSON API behind the pages: listings status, exports, jobs queued, forms, the document."""

from __future__ import annotations

import csv
import io

from core.db import db
from core.models import SchemaCache
from jobs.queues import get_queue
from tests.web.conftest import DE, US, add_call, add_order, add_product

EDITOR = "3"


def test_products_show_status_per_marketplace_with_filters(client, shop_a, bearer):
    add_product(shop_a, "Ready vase", "R-1", status="ready")
    add_product(
        shop_a,
        "Broken vase",
        "P-1",
        status="problems",
        problems=[{"code": "MISSING_BRAND", "attribute": "brand", "message": "x"}],
    )
    add_product(shop_a, "New lamp", "N-1")
    headers = bearer(shop_a)
    page = client.get("/api/products", headers=headers).json
    statuses = {p["title"]: p["statuses"] for p in page["items"]}
    assert statuses["Ready vase"] == {US: "ready", DE: "not_mapped"}
    assert statuses["Broken vase"][US] == "problems"
    assert statuses["New lamp"] == {US: "not_mapped", DE: "not_mapped"}
    problems = client.get(
        f"/api/products?status=problems&marketplace_id={US}", headers=headers
    ).json
    assert [p["title"] for p in problems["items"]] == ["Broken vase"]
    assert [
        p["title"] for p in client.get("/api/products?q=lamp", headers=headers).json["items"]
    ] == ["New lamp"]
    assert client.get("/api/products?q=P-1", headers=headers).json["total"] == 1
    paged = client.get("/api/products?per_page=2&page=2", headers=headers).json
    assert paged["total"] == 3 and len(paged["items"]) == 1


def test_product_detail_has_payload_problems_and_price_per_marketplace(client, shop_a, bearer):
    product = add_product(
        shop_a,
        "Broken vase",
        "P-1",
        status="problems",
        problems=[{"code": "MISSING_BRAND", "attribute": "brand", "message": "Brand is required"}],
    )
    detail = client.get(f"/api/products/{product.id}", headers=bearer(shop_a)).json
    us = next(m for m in detail["marketplaces"] if m["marketplace_id"] == US)
    [listing] = us["listings"]
    assert listing["local_problems"][0]["code"] == "MISSING_BRAND"
    assert listing["payload"] == {"productType": "HOME"}
    assert listing["price_breakdown"] == "19.90 USD"


def test_api_log_filters_and_csv_export(client, shop_a, bearer):
    add_call(shop_a, "putListingsItem", 400, codes=["90220"])
    add_call(shop_a, "getOrders", 200)
    add_call(shop_a, '=HYPERLINK("http://evil")', 200)
    headers = bearer(shop_a)
    failed = client.get("/api/api-calls?outcome=error", headers=headers).json
    assert [c["operation"] for c in failed["items"]] == ["putListingsItem"]
    by_code = client.get("/api/api-calls?error_code=90220", headers=headers).json
    assert by_code["total"] == 1
    response = client.get("/api/api-calls.csv", headers=headers)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    put = next(r for r in rows if r["operation"] == "putListingsItem")
    assert (put["status_code"], put["error_codes"], put["request_id"]) == (
        "400",
        "90220",
        "req-putListingsItem",
    )
    assert any(r["operation"].startswith("'=HYPERLINK") for r in rows)


def test_catalogue_import_and_order_retry_are_queued_jobs(client, shop_a, bearer):
    headers = bearer(shop_a, EDITOR)
    assert client.post("/api/catalogue/import", headers=headers).status_code == 202
    [job] = get_queue("bulk").get_jobs()
    assert job.func_name == "jobs.catalog.import_catalogue" and list(job.args) == [shop_a.id]
    failed = add_order(shop_a, "111-0000000-0000001", state="failed", error="SKU not in store")
    listed = client.get("/api/orders?state=failed", headers=headers).json
    assert listed["failed"] == 1 and listed["items"][0]["error"] == "SKU not in store"
    assert client.post(f"/api/orders/{failed.id}/retry", headers=headers).status_code == 202
    [retry] = get_queue("orders").get_jobs()
    assert retry.func_name == "jobs.orders.retry_order" and list(retry.args) == [failed.id]
    created = add_order(shop_a, "111-0000000-0000002")
    assert client.post(f"/api/orders/{created.id}/retry", headers=headers).status_code == 409


SCHEMA = {
    "$defs": {},
    "required": ["item_name"],
    "properties": {
        "item_name": {"title": "Title", "items": {"properties": {"value": {"type": "string"}}}},
        "batteries_required": {
            "title": "Batteries",
            "items": {"properties": {"value": {"type": "boolean"}}},
        },
        "battery": {"title": "Battery", "items": {"properties": {"value": {"type": "string"}}}},
        "color": {
            "title": "Colour",
            "items": {
                "properties": {
                    "value": {
                        "type": "string",
                        "enum": ["red", "blue"],
                        "enumNames": ["Red", "Blue"],
                    }
                }
            },
        },
    },
    "allOf": [
        {
            "if": {
                "required": ["batteries_required"],
                "properties": {
                    "batteries_required": {"contains": {"properties": {"value": {"const": True}}}}
                },
            },
            "then": {"required": ["battery"]},
        }
    ],
}
ENVELOPE = {
    "displayName": "Lamp",
    "propertyGroups": {
        "safety": {"title": "Safety", "propertyNames": ["batteries_required", "battery"]},
        "identity": {"title": "Identity", "propertyNames": ["color", "item_name"]},
    },
}


def test_mapping_form_comes_from_the_schema_and_reveals_conditions(client, shop_a, bearer):
    db.session.add(
        SchemaCache(
            product_type="LAMP",
            marketplace_id=US,
            locale="en_US",
            version="v1",
            envelope=ENVELOPE,
            schema=SCHEMA,
        )
    )
    db.session.commit()
    headers = bearer(shop_a)
    form = client.get("/api/product-types/LAMP/form", headers=headers).json
    assert [g["title"] for g in form["groups"]] == ["Identity", "Safety"]
    identity = form["groups"][0]["fields"]
    assert identity[0]["name"] == "item_name" and identity[0]["required"]
    assert identity[1]["choices"] == [
        {"value": "red", "label": "Red"},
        {"value": "blue", "label": "Blue"},
    ]
    battery = next(f for f in form["groups"][1]["fields"] if f["name"] == "battery")
    assert battery["conditional"] and battery["required_when"] == ["batteries_required"]
    url = "/api/product-types/LAMP/requirements"
    none = client.post(url, json={"attributes": {}}, headers=headers).json
    assert none["required_now"] == []
    with_batteries = client.post(
        url,
        headers=headers,
        json={"attributes": {"batteries_required": {"source": "constant", "value": True}}},
    ).json
    assert with_batteries["required_now"] == ["battery"]


def test_mapping_sources_are_checked(client, shop_a, bearer):
    headers = bearer(shop_a, EDITOR)
    bad = client.post(
        "/api/mappings",
        headers=headers,
        json={"product_type": "LAMP", "attributes": {"brand": {"source": "constant"}}},
    )
    assert bad.status_code == 400 and "attributes" in bad.json["fields"]
    unknown = client.post(
        "/api/mappings",
        headers=headers,
        json={"product_type": "LAMP", "attributes": {"brand": {"source": "telepathy"}}},
    )
    assert unknown.status_code == 400
    good = client.post(
        "/api/mappings",
        headers=headers,
        json={
            "product_type": "LAMP",
            "attributes": {"color": {"source": "option", "key": "Color"}},
            "overrides": {DE: {"item_type_keyword": {"source": "constant", "value": "lampen"}}},
        },
    )
    assert good.status_code == 201
    assert good.json["overrides"][DE]["item_type_keyword"]["value"] == "lampen"


def test_product_type_suggestion_matches_the_product(client, shop_a, bearer):
    for name, display in (("LAMP", "Lamp"), ("VASE", "Vase")):
        db.session.add(
            SchemaCache(
                product_type=name,
                marketplace_id=US,
                locale="en_US",
                version="v1",
                envelope={"displayName": display},
                schema={"properties": {}},
            )
        )
    db.session.commit()
    product = add_product(shop_a, "Blue ceramic vase", "V-1")
    types = client.get(f"/api/product-types?product_id={product.id}", headers=bearer(shop_a)).json
    assert types[0]["name"] == "VASE" and types[0]["suggested"]
    assert not types[1]["suggested"]


def test_pricing_shows_rate_with_its_date_and_examples(client, shop_a, bearer):
    add_product(shop_a, "Vase", "V-1")
    saved = client.put(
        f"/api/pricing/{DE}",
        headers=bearer(shop_a, EDITOR),
        json={"markup_percent": "10", "ending": ".99"},
    )
    assert saved.status_code == 200
    assert saved.json["rate_date"] and saved.json["rate"]
    [example] = saved.json["examples"]
    assert example["price"].endswith(".99 EUR")
    assert "+10 %" in example["breakdown"]


def test_dashboard_counts_orders_and_problems(client, shop_a, bearer):
    add_order(shop_a, "111-0000000-0000003")
    add_product(shop_a, "Broken", "P-1", status="problems", problems=[{"code": "MISSING_BRAND"}])
    add_call(shop_a, "putListingsItem", 500)
    board = client.get("/api/dashboard", headers=bearer(shop_a)).json
    assert sum(board["orders_per_day"][US]) == 1
    assert board["problems_by_code"] == [{"code": "MISSING_BRAND", "count": 1}]
    assert board["api_errors_24h"] == 1


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.0")
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "openapi.openapi_document":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
                served.add((path, method.lower()))
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert served == described
    publish = document["paths"]["/api/publish"]["post"]
    assert publish["x-min-role"] == "editor"
    assert publish["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = document["components"]["schemas"]

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(document):
        assert ref.rsplit("/", 1)[1] in schemas, ref
