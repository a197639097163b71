"""Cross-tenant calls: shop A's owner, with a valid token, sends shop B's ids to every route of
the url_map that takes an id (in the path, a `*_id` query field, or an `*_ids` list in the
body). Nothing of shop B may come back (its names, SKUs, order ids, seller id...) and nothing
of shop B may change (a row count and a hash of every row of every shop-scoped table, before
and after). A guarded route must answer 403 or 404 for an id that is not the caller's; a row
named in the query (a filter or a hint) must answer as a missing id would; a route that takes
an id-like text (a marketplace or product type) acts on the caller's own shop, so only "no
leak, no change" is checked there. A new route with an id this file has no row for fails."""

from __future__ import annotations

import pytest

from core.db import db
from core.models import Alert, AmazonAccount, JobRun, MappingProfile, TargetMarketplace, User
from tests.security import routes as R
from tests.web.conftest import add_order, add_product

# what shop B holds, none of which may appear in an answer to shop A
SECRETS = (
    "Bravo secret",
    "BRAVO-SKU-1",
    "bravo.myshopify.com",
    "111-BRAVO-0000001",
    "Bravo alert text",
    "Bravo run title",
    "BravoBrandSecret",
    "Bravo Owner Name",
    "ABRAVOSELLER",
)


MISSING_ID = 2_000_000_000  # no row has it


def _targets():
    out = []
    for rule, method, min_role in R.routes():
        ps = R.params(rule)
        body = R.valid_body(rule, method) or {}
        query = R.id_query(rule, method, {})  # a query field naming a row
        if ps or query or any(n.endswith("_ids") and n != "marketplace_ids" for n in body):
            out.append(pytest.param(rule, method, min_role, id=f"{method} {rule}"))
    return out


@pytest.fixture
def bravo_rows(app, shop_b):
    """One row of shop B for each kind of id a route can address."""
    product = add_product(shop_b, "Bravo secret", "BRAVO-SKU-1", status="ready")
    order = add_order(shop_b, "111-BRAVO-0000001", state="failed", error="SKU unknown")
    alert = Alert(shop_id=shop_b.id, kind="listing", message="Bravo alert text")
    run = JobRun(shop_id=shop_b.id, kind="publish", title="Bravo run title")
    profile = MappingProfile(
        shop_id=shop_b.id, product_type="HOME", overrides={"brand": "BravoBrandSecret"}
    )
    db.session.add_all([alert, run, profile])
    owner = db.session.query(User).filter_by(shop_id=shop_b.id).one()
    owner.name = "Bravo Owner Name"
    account = db.session.query(AmazonAccount).filter_by(shop_id=shop_b.id).one()
    account.selling_partner_id = "ABRAVOSELLER"
    db.session.commit()
    marketplace = db.session.query(TargetMarketplace).filter_by(shop_id=shop_b.id).first()
    return {
        "product_id": product.id,
        "order_id": order.id,
        "alert_id": alert.id,
        "run_id": run.id,
        "profile_id": profile.id,
        "user_id": owner.id,
        "account_id": account.id,
        "marketplace_row_id": marketplace.id,
        # id-like texts: global Amazon/Shopify names, scoped by the caller's token
        "marketplace_id": marketplace.marketplace_id,
        "product_type": "HOME",
        "section": "products",
    }


@pytest.mark.parametrize(("rule", "method", "min_role"), _targets())
def test_shop_a_cannot_reach_shop_b(client, shop_a, shop_b, bearer, bravo_rows, rule, method,
                                    min_role):  # fmt: skip
    for _, name in R.params(rule):
        assert name in bravo_rows, f"{rule}: give shop B a row for <{name}> in bravo_rows"
    path = R.fill(rule, bravo_rows)
    headers = bearer(shop_a, "1")  # shop A's owner: every role check passes
    query = R.id_query(rule, method, bravo_rows)
    assert None not in query.values(), f"{rule}: give shop B a row for each of {list(query)}"
    if min_role is None and rule.startswith("/app"):
        query["handoff"] = client.post("/app/handoff", headers=headers).json["code"]
        headers = {}
    before = R.snapshot(db, shop_b.id)
    answer = client.open(path, method=method, headers=headers, query_string=query,
                         json=R.valid_body(rule, method, bravo_rows))  # fmt: skip
    db.session.expire_all()
    text = answer.get_data(as_text=True)
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert not leaked, f"{method} {path} showed shop B's {leaked}"
    assert R.snapshot(db, shop_b.id) == before, f"{method} {path} changed shop B's rows"
    assert R.queued_for(shop_b.id) == [], f"{method} {path} queued a job for shop B"
    assert answer.status_code < 500
    path_ids = [name for kind, name in R.params(rule) if kind == "int"]
    body_ids = not R.params(rule) and not R.id_query(rule, method, {})
    if min_role is not None and (path_ids or body_ids):
        assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code} {text}"
    elif R.id_query(rule, method, {}):
        # a row named in the query (a filter or a hint): shop B's id answers as a missing one
        missing_ids = query | {name: MISSING_ID for name in R.id_query(rule, method, {})}
        missing = client.open(path, method=method, headers=headers, query_string=missing_ids)
        assert (answer.status_code, text) == (missing.status_code, missing.get_data(as_text=True))
