"""No tenant sees or touches another's rows: every lookup is scoped by the token's shop."""

from __future__ import annotations

from core.db import db
from core.models import JobRun
from jobs.queues import get_queue
from tests.web.conftest import US, add_call, add_order, add_product


def test_lists_only_show_the_callers_shop(client, shop_a, shop_b, bearer):
    add_product(shop_a, "Alpha vase", "A-1", status="ready")
    add_product(shop_b, "Bravo secret", "B-1", status="ready")
    add_order(shop_b, "111-BRAVO-0000001")
    add_call(shop_b, "putListingsItem")
    headers = bearer(shop_a)
    titles = [p["title"] for p in client.get("/api/products", headers=headers).json["items"]]
    assert titles == ["Alpha vase"]
    assert client.get("/api/orders", headers=headers).json["total"] == 0
    assert client.get("/api/api-calls", headers=headers).json["total"] == 0
    assert "B-1" not in client.get("/api/api-calls.csv", headers=headers).get_data(as_text=True)
    searched = client.get("/api/products?q=B-1", headers=headers).json
    assert searched["total"] == 0


def test_another_shops_ids_look_like_missing_ones(client, shop_a, shop_b, bearer):
    foreign = add_product(shop_b, "Bravo secret", "B-1", status="ready")
    order = add_order(shop_b, "111-BRAVO-0000002", state="failed", error="SKU unknown")
    run = JobRun(shop_id=shop_b.id, kind="publish", title="theirs")
    db.session.add(run)
    db.session.commit()
    headers = bearer(shop_a, "3")  # an editor of shop A
    assert client.get(f"/api/products/{foreign.id}", headers=headers).status_code == 404
    assert client.get(f"/api/runs/{run.id}", headers=headers).status_code == 404
    assert client.post(f"/api/orders/{order.id}/retry", headers=headers).status_code == 404
    publish = client.post(
        "/api/publish",
        headers=headers,
        json={"product_ids": [foreign.id], "marketplace_ids": [US], "mode": "publish"},
    )
    assert publish.status_code == 404
    assert get_queue("orders").count == 0 and get_queue("listings").count == 0
    page = client.get(f"/app/products/{foreign.id}?id_token=" + headers["Authorization"][7:])
    assert b"Bravo secret" not in page.data


def test_same_staff_id_in_two_shops_is_two_people(client, shop_a, shop_b, bearer):
    me_a = client.get("/api/me", headers=bearer(shop_a, "9")).json
    me_b = client.get("/api/me", headers=bearer(shop_b, "9")).json
    assert me_a["shop"]["domain"] == shop_a.domain and me_a["user"]["role"] == "viewer"
    assert me_b["shop"]["domain"] == shop_b.domain and me_b["user"]["role"] == "owner"
