"""planned sessions: one row per athlete and slot UID

Two plan requests at once each inserted the same new slot, and the calendar download then
refused the log. Duplicate rows are merged first (the oldest row of a slot is kept, and a
session done against a duplicate points at the kept row), then the unique index added.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 16:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    planned = sa.table(
        "planned_session", sa.column("id", sa.Integer), sa.column("athlete_id", sa.Integer), sa.column("uid", sa.String)
    )
    performed = sa.table("performed_session", sa.column("planned_session_id", sa.Integer))
    keep = (
        sa.select(planned.c.athlete_id, planned.c.uid, sa.func.min(planned.c.id).label("id"))
        .where(planned.c.uid.is_not(None))
        .group_by(planned.c.athlete_id, planned.c.uid)
        .having(sa.func.count() > 1)
    )
    for athlete_id, uid, kept in conn.execute(keep).all():
        extra = [
            row.id
            for row in conn.execute(
                sa.select(planned.c.id).where(
                    planned.c.athlete_id == athlete_id, planned.c.uid == uid, planned.c.id != kept
                )
            )
        ]
        conn.execute(
            performed.update().where(performed.c.planned_session_id.in_(extra)).values(planned_session_id=kept)
        )
        conn.execute(planned.delete().where(planned.c.id.in_(extra)))
    # a unique index rather than a table constraint: SQLite adds it in place, where a new
    # constraint would copy the table and its drop would unlink the sessions done against it
    op.create_index("uq_planned_session_slot", "planned_session", ["athlete_id", "uid"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_planned_session_slot", table_name="planned_session")
