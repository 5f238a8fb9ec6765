"""plan strictness and session length: how far the plan may bend to fit the sessions asked
for ('fit' or 'ideal'), and the longest session the runner wants (null: the plan's 25 min)

Revision ID: 0005_plan_strictness
Revises: 0004
Create Date: 2026-12-07 16:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_plan_strictness"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns are added in place. On SQLite a batch operation with a constraint would copy the
    # athlete table and drop the old one, and with foreign keys on, dropping it deletes every
    # row that refers to the athlete: their whole log. SQLite takes a CHECK in ADD COLUMN.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE athlete ADD COLUMN strictness VARCHAR(8) NOT NULL DEFAULT 'fit' "
            "CONSTRAINT ck_athlete_strictness CHECK (strictness IN ('fit', 'ideal'))"
        )
        op.execute(
            "ALTER TABLE athlete ADD COLUMN session_minutes INTEGER "
            "CONSTRAINT ck_athlete_session_minutes CHECK (session_minutes BETWEEN 20 AND 60)"
        )
        return
    op.add_column("athlete", sa.Column("strictness", sa.String(length=8), nullable=False, server_default="fit"))
    op.add_column("athlete", sa.Column("session_minutes", sa.Integer(), nullable=True))
    op.create_check_constraint(op.f("ck_athlete_strictness"), "athlete", "strictness IN ('fit', 'ideal')")
    op.create_check_constraint(op.f("ck_athlete_session_minutes"), "athlete", "session_minutes BETWEEN 20 AND 60")


def downgrade() -> None:
    with op.batch_alter_table("athlete") as batch:
        batch.drop_constraint(op.f("ck_athlete_session_minutes"), type_="check")
        batch.drop_constraint(op.f("ck_athlete_strictness"), type_="check")
        batch.drop_column("session_minutes")
        batch.drop_column("strictness")
