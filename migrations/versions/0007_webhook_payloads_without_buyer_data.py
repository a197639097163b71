"""webhook events recorded before core.webhook_records kept whole store deliveries: a Shopify
fulfilment's destination and e-mail, a WooCommerce order's billing and shipping addresses, a
customers/redact's e-mail and phone. Their payloads are cut down to what events keep now (ids,
kind, SKU, stock and times), so no recorded delivery still holds a buyer. No schema change.

The field lists are this migration's own copy: a later change to core.webhook_records must not
change what this revision did.

Revision ID: 0007
Revises: 0006
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEPT_FIELDS = frozenset(
    {"id", "admin_graphql_api_id", "order_id", "product_id", "variant_id", "parent_id",
     "inventory_item_id", "location_id", "type", "sku", "status", "title", "available",
     "stock_quantity", "stock_status", "updated_at", "created_at", "date_modified_gmt",
     "date_created_gmt", "shop_id", "shop_domain", "orders_to_redact", "orders_requested",
     "data_request"}
)  # fmt: skip
KEPT_BY_ID = frozenset({"customer", "data_request"})
SCALAR = (str, int, float, bool, type(None))
BATCH = 500

events = sa.table(
    "webhook_events",
    sa.column("id", sa.Integer),
    sa.column("platform", sa.String),
    sa.column("payload", sa.JSON),
)


def _kept(payload) -> dict:
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return {}
    if not isinstance(payload, dict):
        return {}
    kept = {}
    for name, value in payload.items():
        if name in KEPT_BY_ID and isinstance(value, dict):
            if isinstance(value.get("id"), SCALAR):
                kept[name] = {"id": value["id"]}
        elif name not in KEPT_FIELDS:
            continue
        elif isinstance(value, SCALAR) or (
            isinstance(value, list) and all(isinstance(v, SCALAR) for v in value)
        ):
            kept[name] = value
    return kept


def upgrade() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.payload)
            .where(events.c.platform.in_(("shopify", "woocommerce")), events.c.id > last)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            kept = _kept(row.payload)
            if kept != row.payload:
                connection.execute(
                    sa.update(events).where(events.c.id == row.id).values(payload=kept)
                )
        last = rows[-1].id


def downgrade() -> None:
    pass  # what was dropped is gone (that is the point)
