"""account health: Amazon's seller performance report per account and marketplace, and the
ship-by date of each imported order (for Crossport's own late shipment rate)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("report_id", sa.String(length=100), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("account_status", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=True),
        sa.Column("period_end", sa.DateTime(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["amazon_accounts.id"],
            name=op.f("fk_account_health_account_id_amazon_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_account_health_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_health")),
        sa.UniqueConstraint(
            "account_id", "marketplace_id", name=op.f("uq_account_health_account_id_marketplace_id")
        ),
    )
    with op.batch_alter_table("account_health") as batch:
        batch.create_index(batch.f("ix_account_health_account_id"), ["account_id"], unique=False)
        batch.create_index(batch.f("ix_account_health_shop_id"), ["shop_id"], unique=False)
    with op.batch_alter_table("order_links") as batch:
        batch.add_column(sa.Column("latest_ship_date", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_links") as batch:
        batch.drop_column("latest_ship_date")
    with op.batch_alter_table("account_health") as batch:
        batch.drop_index(batch.f("ix_account_health_shop_id"))
        batch.drop_index(batch.f("ix_account_health_account_id"))
    op.drop_table("account_health")
