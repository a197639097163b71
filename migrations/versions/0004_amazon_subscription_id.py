"""amazon accounts keep the id of their ORDER_CHANGE subscription, so that it can be deleted on
Amazon (grantless, by id) when the account is disconnected or its shop uninstalled

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("amazon_accounts") as batch:
        batch.add_column(sa.Column("subscription_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("amazon_accounts") as batch:
        batch.drop_column("subscription_id")
