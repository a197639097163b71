"""Roles are enforced by the server: viewers cannot publish or change mappings."""

from __future__ import annotations

from core.db import db
from core.models import JobRun, MappingProfile
from jobs.queues import get_queue
from tests.web.conftest import US, add_product

VIEWER, EDITOR, OWNER = "2", "3", "1"


def publish_body(product, mode="publish"):
    return {"product_ids": [product.id], "marketplace_ids": [US], "mode": mode}


def test_viewer_cannot_publish_and_nothing_is_queued(client, shop_a, bearer):
    product = add_product(shop_a, "Vase", "VASE-1")
    response = client.post(
        "/api/publish", json=publish_body(product), headers=bearer(shop_a, VIEWER)
    )
    assert response.status_code == 403
    assert response.json["required_role"] == "editor"
    assert db.session.query(JobRun).count() == 0
    assert get_queue("listings").count == 0


def test_editor_publish_creates_a_run_and_queues_the_publish_job(client, shop_a, bearer):
    product = add_product(shop_a, "Vase", "VASE-1")
    response = client.post(
        "/api/publish", json=publish_body(product, "trial"), headers=bearer(shop_a, EDITOR)
    )
    assert response.status_code == 202
    run = db.session.get(JobRun, response.json["id"])
    assert (run.kind, run.shop_id, run.status) == ("publish", shop_a.id, "queued")
    assert run.details["product_ids"] == [product.id]
    assert run.details["marketplace_ids"] == [US]
    assert run.details["mode"] == "trial"
    queue = get_queue("listings")
    [job] = [queue.fetch_job(job_id) for job_id in queue.job_ids]
    assert job.func_name == "jobs.publish.run_publish"
    assert list(job.args) == [run.id]
    assert job.id == run.rq_job_id


def test_run_progress_is_readable_while_it_runs(client, shop_a, bearer):
    product = add_product(shop_a, "Vase", "VASE-1")
    run_id = client.post(
        "/api/publish", json=publish_body(product), headers=bearer(shop_a, EDITOR)
    ).json["id"]
    run = db.session.get(JobRun, run_id)
    run.status, run.total, run.done, run.failed = "running", 10, 4, 1
    db.session.commit()
    progress = client.get(f"/api/runs/{run_id}", headers=bearer(shop_a, VIEWER)).json
    assert (progress["done"], progress["failed"], progress["total"]) == (4, 1, 10)
    assert progress["percent"] == 50


def test_viewer_cannot_create_or_change_mappings(client, shop_a, bearer):
    body = {
        "product_type": "HOME",
        "attributes": {"brand": {"source": "constant", "value": "Acme"}},
    }
    assert (
        client.post("/api/mappings", json=body, headers=bearer(shop_a, VIEWER)).status_code == 403
    )
    created = client.post("/api/mappings", json=body, headers=bearer(shop_a, EDITOR))
    assert created.status_code == 201
    changed = client.put(
        f"/api/mappings/{created.json['id']}", json=body, headers=bearer(shop_a, VIEWER)
    )
    assert changed.status_code == 403
    assert (
        client.delete(
            f"/api/mappings/{created.json['id']}", headers=bearer(shop_a, VIEWER)
        ).status_code
        == 403
    )
    assert db.session.query(MappingProfile).count() == 1


def test_only_admins_and_owners_change_roles_and_the_last_owner_stays(client, shop_a, bearer):
    team = {
        m["platform_user_id"]: m
        for m in client.get("/api/team", headers=bearer(shop_a, VIEWER)).json
    }
    editor_id, owner_id = team[EDITOR]["id"], team[OWNER]["id"]
    refused = client.put(
        f"/api/team/{editor_id}", json={"role": "admin"}, headers=bearer(shop_a, EDITOR)
    )
    assert refused.status_code == 403
    promoted = client.put(
        f"/api/team/{editor_id}", json={"role": "admin"}, headers=bearer(shop_a, OWNER)
    )
    assert promoted.json["role"] == "admin"
    demoting_self = client.put(
        f"/api/team/{owner_id}", json={"role": "viewer"}, headers=bearer(shop_a, OWNER)
    )
    assert demoting_self.status_code == 409


def test_marketplace_settings_need_an_admin(client, shop_a, bearer):
    onboarding = client.get("/api/onboarding", headers=bearer(shop_a, VIEWER)).json
    market = next(m for m in onboarding["marketplaces"] if m["marketplace_id"] == US)
    body = {"fulfillment_channel": "FBA"}
    assert (
        client.put(
            f"/api/marketplaces/{market['id']}", json=body, headers=bearer(shop_a, EDITOR)
        ).status_code
        == 403
    )
    changed = client.put(
        f"/api/marketplaces/{market['id']}", json=body, headers=bearer(shop_a, OWNER)
    )
    assert changed.json["fulfillment_channel"] == "FBA"
