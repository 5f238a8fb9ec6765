"""runs: multisport legs and energy; values no activity can have are repaired

A run's ``legs`` (one entry per leg of a multisport activity) and ``energy_kcal`` (what an
Apple Health workout states). Rows that earlier imports stored with values no activity
can have are repaired as the importer now repairs them at the door: a UTC offset beyond
+-14 h (a Zwift file's zero local time gave minus 27 years, and every listing of the runs
failed on it) is dropped, as are a negative elapsed time, a heart rate of 0 and a distance
of 0. A run dated before 1990 is a device clock that was never set (an old Forerunner's
times counted from its power-on): the row is removed, so that importing its file again
stores the run on its real date instead of being taken for a duplicate.

Revision ID: 0006
Revises: 0005_plan_strictness
Create Date: 2026-12-07 16:40:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_plan_strictness"
branch_labels = None
depends_on = None

MAX_OFFSET_MIN = 14 * 60
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.add_column(sa.Column("legs", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("energy_kcal", sa.Float(), nullable=True))
    run = sa.table(
        "run",
        sa.column("utc_offset_min", sa.Integer()),
        sa.column("elapsed_s", sa.Float()),
        sa.column("avg_hr", sa.Float()),
        sa.column("max_hr", sa.Float()),
        sa.column("distance_m", sa.Float()),
        sa.column("started_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        run.update()
        .where(sa.or_(run.c.utc_offset_min > MAX_OFFSET_MIN, run.c.utc_offset_min < -MAX_OFFSET_MIN))
        .values(utc_offset_min=None)
    )
    op.execute(run.update().where(run.c.elapsed_s < 0).values(elapsed_s=None))
    op.execute(run.update().where(run.c.avg_hr <= 0).values(avg_hr=None))
    op.execute(run.update().where(run.c.max_hr <= 0).values(max_hr=None))
    op.execute(run.update().where(run.c.distance_m <= 0).values(distance_m=None))
    op.execute(run.delete().where(run.c.started_at < EARLIEST))


def downgrade() -> None:
    with op.batch_alter_table("run") as batch:
        batch.drop_column("energy_kcal")
        batch.drop_column("legs")
