"""posture checks: the numbers of `scapula posture --save` (never the picture)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:35:10.020669
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posture_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("athlete_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("view", sa.String(length=5), nullable=False),
        sa.Column("head_forward_deg", sa.Float(), nullable=True),
        sa.Column("head_forward_cm", sa.Float(), nullable=True),
        sa.Column("head_forward_class", sa.String(length=20), nullable=True),
        sa.Column("shoulder_forward_deg", sa.Float(), nullable=True),
        sa.Column("shoulder_forward_cm", sa.Float(), nullable=True),
        sa.Column("shoulder_forward_class", sa.String(length=20), nullable=True),
        sa.Column("shoulder_height_deg", sa.Float(), nullable=True),
        sa.Column("shoulder_height_cm", sa.Float(), nullable=True),
        sa.Column("shoulder_height_class", sa.String(length=20), nullable=True),
        sa.Column("head_tilt_deg", sa.Float(), nullable=True),
        sa.Column("head_tilt_cm", sa.Float(), nullable=True),
        sa.Column("head_tilt_class", sa.String(length=20), nullable=True),
        sa.Column("uncertainty", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("steadiness", sa.JSON(), nullable=True),
        sa.Column("quality_notes", sa.JSON(), nullable=False),
        sa.CheckConstraint("view IN ('side', 'front')", name=op.f("ck_posture_check_view")),
        sa.ForeignKeyConstraint(
            ["athlete_id"], ["athlete.id"], name=op.f("fk_posture_check_athlete_id_athlete"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_check")),
    )
    with op.batch_alter_table("posture_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posture_check_athlete_id"), ["athlete_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_posture_check_checked_at"), ["checked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posture_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posture_check_checked_at"))
        batch_op.drop_index(batch_op.f("ix_posture_check_athlete_id"))

    op.drop_table("posture_check")
