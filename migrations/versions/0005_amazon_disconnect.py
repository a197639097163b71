"""a seller can disconnect an Amazon account from the page: who did it and when, and which of its
marketplaces were paused (so that connecting again resumes what the seller had chosen)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("amazon_accounts") as batch:
        batch.add_column(sa.Column("disconnected_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("disconnected_by", sa.String(length=255), nullable=True))
    with op.batch_alter_table("target_marketplaces") as batch:
        batch.add_column(
            sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("target_marketplaces") as batch:
        batch.drop_column("paused")
    with op.batch_alter_table("amazon_accounts") as batch:
        batch.drop_column("disconnected_by")
        batch.drop_column("disconnected_at")
