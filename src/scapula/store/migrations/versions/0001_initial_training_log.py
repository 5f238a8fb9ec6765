"""initial training log

Revision ID: 0001
Revises:
Create Date: 2026-11-24 13:32:40.036356
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "athlete",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sessions_per_week", sa.Integer(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sessions_per_week BETWEEN 1 AND 3", name=op.f("ck_athlete_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athlete")),
    )
    op.create_table(
        "equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("resistance", sa.String(length=30), nullable=True),
        sa.Column("kg", sa.Float(), nullable=True),
        sa.CheckConstraint("kind IN ('band', 'kettlebell')", name=op.f("ck_equipment_kind")),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_equipment_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
    )
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_equipment_athlete_id"), ["athlete_id"], unique=False)

    op.create_table(
        "planned_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("deload", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_planned_session_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_session")),
    )
    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planned_session_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_planned_session_day"), ["day"], unique=False)

    op.create_table(
        "performed_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("planned_session_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_performed_session_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["planned_session_id"],
            ["planned_session.id"],
            name=op.f("fk_performed_session_planned_session_id_planned_session"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performed_session")),
    )
    with op.batch_alter_table("performed_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_performed_session_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_performed_session_started_at"), ["started_at"], unique=False)

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_note_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["performed_session.id"],
            name=op.f("fk_note_session_id_performed_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
    )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_athlete_id"), ["athlete_id"], unique=False)

    op.create_table(
        "set_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(length=60), nullable=False),
        sa.Column("set_number", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("load_label", sa.String(length=60), nullable=True),
        sa.Column("load_kg", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("rpe", sa.Float(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("side IN ('left', 'right', 'both')", name=op.f("ck_set_record_side")),
        sa.CheckConstraint("reps >= 0", name=op.f("ck_set_record_reps")),
        sa.CheckConstraint("rpe IS NULL OR (rpe >= 1 AND rpe <= 10)", name=op.f("ck_set_record_rpe")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["performed_session.id"],
            name=op.f("fk_set_record_session_id_performed_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_record")),
    )
    with op.batch_alter_table("set_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_set_record_exercise_id"), ["exercise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_set_record_session_id"), ["session_id"], unique=False)

    op.create_table(
        "stretch_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("stretch_id", sa.String(length=60), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("hold_s", sa.Float(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["performed_session.id"],
            name=op.f("fk_stretch_record_session_id_performed_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stretch_record")),
    )
    with op.batch_alter_table("stretch_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stretch_record_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stretch_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stretch_record_session_id"))

    op.drop_table("stretch_record")
    with op.batch_alter_table("set_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_set_record_session_id"))
        batch_op.drop_index(batch_op.f("ix_set_record_exercise_id"))

    op.drop_table("set_record")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_athlete_id"))

    op.drop_table("note")
    with op.batch_alter_table("performed_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performed_session_started_at"))
        batch_op.drop_index(batch_op.f("ix_performed_session_athlete_id"))

    op.drop_table("performed_session")
    with op.batch_alter_table("planned_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_session_day"))
        batch_op.drop_index(batch_op.f("ix_planned_session_athlete_id"))

    op.drop_table("planned_session")
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_equipment_athlete_id"))

    op.drop_table("equipment")
    op.drop_table("athlete")
