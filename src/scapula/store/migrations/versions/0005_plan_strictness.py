"""plan strictness and session length: how far the plan may bend to fit the sessions asked
for ('fit' or 'ideal'), and the longest session the runner wants (null: the plan's 25 min)

Revision ID: 0005_plan_strictness
Revises: 0004
Create Date: 2026-12-07 16:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_plan_strictness'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('athlete') as batch:
        batch.add_column(sa.Column('strictness', sa.String(length=8), nullable=False, server_default='fit'))
        batch.add_column(sa.Column('session_minutes', sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f('ck_athlete_strictness'), "strictness IN ('fit', 'ideal')")
        batch.create_check_constraint(op.f('ck_athlete_session_minutes'), 'session_minutes BETWEEN 20 AND 60')


def downgrade() -> None:
    with op.batch_alter_table('athlete') as batch:
        batch.drop_constraint(op.f('ck_athlete_session_minutes'), type_='check')
        batch.drop_constraint(op.f('ck_athlete_strictness'), type_='check')
        batch.drop_column('session_minutes')
        batch.drop_column('strictness')
