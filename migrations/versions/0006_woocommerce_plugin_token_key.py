"""a WooCommerce connection keeps the key its plugin signs iframe tokens with (handed to the
plugin while connecting; encrypted at rest like every credential). Connections made before it
have none: their plugin tokens are refused until the store connects again from
WooCommerce > Crossport, since the old key was derived from the webhook secret, which every shop
manager can read. Webhooks and jobs keep working meanwhile.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("store_connections") as batch:
        batch.add_column(sa.Column("plugin_token_key", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("store_connections") as batch:
        batch.drop_column("plugin_token_key")
