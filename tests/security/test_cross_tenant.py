"""Cross-tenant calls: shop A's owner, with a valid token, sends shop B's ids to every route of
the url_map that takes an id (in the path, or an `*_ids` list in the body). Nothing of shop B
may come back (its names, SKUs, order ids, seller id...) and nothing of shop B may change (a row
count and a hash of every row of every shop-scoped table, before and after). A guarded route
must answer 403 or 404 for an id that is not the caller's; a route that takes an id-like text
(a marketplace or product type) acts on the caller's own shop, so only "no leak, no change" is
checked there. A new route with an id parameter this file has no row for fails loudly."""

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


def _targets():
    out = []
    for rule, method, min_role in R.routes():
        ps = R.params(rule)
        body = R.valid_body(rule, method) or {}
        if ps or any(name.endswith("_ids") and name != "marketplace_ids" for name in body):
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
    if min_role is None and rule.startswith("/app"):
        code = client.post("/app/handoff", headers=headers).json["code"]
        path, headers = f"{path}?handoff={code}", {}
    before = R.snapshot(db, shop_b.id)
    answer = client.open(path, method=method, headers=headers,
                         json=R.valid_body(rule, method, bravo_rows))  # fmt: skip
    db.session.expire_all()
    text = answer.get_data(as_text=True)
    leaked = [s for s in SECRETS if s.lower() in text.lower()]
    assert not leaked, f"{method} {path} showed shop B's {leaked}"
    assert R.snapshot(db, shop_b.id) == before, f"{method} {path} changed shop B's rows"
    assert answer.status_code < 500
    addresses_b_row = any(kind == "int" for kind, _ in R.params(rule)) or not R.params(rule)
    if min_role is not None and addresses_b_row:
        assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code} {text}"
