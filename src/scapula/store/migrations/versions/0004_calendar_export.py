"""calendar export: the last calendar file the web app handed out, for its SEQUENCE numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 20:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athlete") as batch:
        batch.add_column(sa.Column("calendar_export", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("athlete") as batch:
        batch.drop_column("calendar_export")
