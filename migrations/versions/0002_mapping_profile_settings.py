"""mapping profiles carry settings, seller texts, price rules and disabled attributes

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("settings", "texts", "price_rules")


def upgrade() -> None:
    with op.batch_alter_table("mapping_profiles") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("disabled", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("mapping_profiles") as batch:
        for name in (*COLUMNS, "disabled"):
            batch.drop_column(name)
