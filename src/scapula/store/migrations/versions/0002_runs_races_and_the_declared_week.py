"""runs, races and the declared week

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:37:23.424417
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing athletes and planned sessions get the defaults the models use.
    op.create_table(
        "race",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_race_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_race")),
    )
    with op.batch_alter_table("race", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_race_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_race_day"), ["day"], unique=False)

    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_min", sa.Integer(), nullable=True),
        sa.Column("sport", sa.String(length=30), nullable=False),
        sa.Column("sub_sport", sa.String(length=30), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("avg_hr", sa.Float(), nullable=True),
        sa.Column("max_hr", sa.Float(), nullable=True),
        sa.Column("laps", sa.JSON(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_run_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run")),
        sa.UniqueConstraint("athlete_id", "sha256", name="uq_run_content"),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_started_at"), ["started_at"], unique=False)

    with op.batch_alter_table("athlete", schema=None) as batch_op:
        batch_op.add_column(sa.Column("long_run_day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hard_days", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("rest_days", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("session_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("race_week", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_planned_session_uid"), ["uid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_session_uid"))
        batch_op.drop_column("race_week")
        batch_op.drop_column("uid")

    with op.batch_alter_table("athlete", schema=None) as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("session_time")
        batch_op.drop_column("rest_days")
        batch_op.drop_column("hard_days")
        batch_op.drop_column("long_run_day")

    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_started_at"))
        batch_op.drop_index(batch_op.f("ix_run_athlete_id"))

    op.drop_table("run")
    with op.batch_alter_table("race", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_race_day"))
        batch_op.drop_index(batch_op.f("ix_race_athlete_id"))

    op.drop_table("race")
