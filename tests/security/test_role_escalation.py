"""Role escalation: each staff role of a shop, on every guarded route of the url_map whose
`require_shop(min_role)` (read from the view, not copied here) is above it, with a valid-shaped
request on the shop's own rows: 403, and nothing of the shop changed. Also the rule inside the
team route: an admin may neither grant nor remove admin and owner."""

from __future__ import annotations

import pytest

from core.db import db
from core.models import Alert, AmazonAccount, JobRun, MappingProfile, TargetMarketplace, User
from tests.security import routes as R
from tests.web.conftest import add_order, add_product, make_shop
from web.auth import ROLE_ORDER

STAFF = {"1": "owner", "4": "admin", "3": "editor", "2": "viewer"}
USER_OF_ROLE = {role: user_id for user_id, role in STAFF.items()}


def _cases():
    out = []
    for rule, method, min_role in R.routes():
        if min_role is None:
            continue
        for role, rank in ROLE_ORDER.items():
            if rank < ROLE_ORDER[min_role]:
                out.append(pytest.param(rule, method, role, id=f"{role} {method} {rule}"))
    return out


@pytest.fixture
def shop(app):
    return make_shop("alpha.myshopify.com", users=STAFF)


@pytest.fixture
def own_rows(shop):
    """One row of the shop for each kind of id a route can address."""
    product = add_product(shop, "Alpha vase", "A-1", status="ready")
    order = add_order(shop, "111-ALPHA-0000001", state="failed", error="SKU unknown")
    alert = Alert(shop_id=shop.id, kind="listing", message="an alert")
    run = JobRun(shop_id=shop.id, kind="publish", title="a run")
    profile = MappingProfile(shop_id=shop.id, product_type="HOME")
    db.session.add_all([alert, run, profile])
    db.session.commit()
    viewer = db.session.query(User).filter_by(shop_id=shop.id, role="viewer").one()
    marketplace = db.session.query(TargetMarketplace).filter_by(shop_id=shop.id).first()
    return {
        "product_id": product.id,
        "order_id": order.id,
        "alert_id": alert.id,
        "run_id": run.id,
        "profile_id": profile.id,
        "user_id": viewer.id,
        "account_id": db.session.query(AmazonAccount).filter_by(shop_id=shop.id).one().id,
        "marketplace_row_id": marketplace.id,
        "marketplace_id": marketplace.marketplace_id,
        "product_type": "HOME",
    }


@pytest.mark.parametrize(("rule", "method", "role"), _cases())
def test_a_lower_role_is_refused(client, shop, own_rows, bearer, rule, method, role):
    for _, name in R.params(rule):
        assert name in own_rows, f"{rule}: give the shop a row for <{name}> in own_rows"
    path = R.fill(rule, own_rows)
    body = R.valid_body(rule, method, own_rows)
    if body and "role" in body:
        body["role"] = "editor"  # a change below admin: only the route's own guard refuses it
    before = R.snapshot(db, shop.id)
    answer = client.open(path, method=method, headers=bearer(shop, USER_OF_ROLE[role]), json=body)
    db.session.expire_all()
    assert answer.status_code == 403, f"{role} {method} {path}: {answer.status_code}"
    assert answer.json["error"] == "forbidden"
    assert R.snapshot(db, shop.id) == before, f"{role} {method} {path} changed the shop"


@pytest.mark.parametrize(
    ("target_role", "new_role"),
    [
        ("owner", "viewer"),
        ("admin", "viewer"),
        ("viewer", "admin"),
        ("viewer", "owner"),
        ("admin", "owner"),
    ],  # fmt: skip
)
def test_an_admin_cannot_grant_or_remove_admin_and_owner(client, shop, bearer, target_role,
                                                        new_role):  # fmt: skip
    target = db.session.query(User).filter_by(shop_id=shop.id, role=target_role).one()
    before = R.snapshot(db, shop.id)
    answer = client.put(f"/api/team/{target.id}", headers=bearer(shop, "4"),
                        json={"role": new_role})  # fmt: skip
    db.session.expire_all()
    assert answer.status_code == 403
    assert R.snapshot(db, shop.id) == before
