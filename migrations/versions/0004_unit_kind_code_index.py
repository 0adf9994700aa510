"""units of a kind in code order (the towns of the unit list's and the board's filters)

Replaces the index on ``unit.kind`` alone, which the new one covers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 16:00:00

"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_unit_kind_code', 'unit', ['kind', 'code'], unique=False)
    op.drop_index('ix_unit_kind', table_name='unit')


def downgrade():
    op.create_index('ix_unit_kind', 'unit', ['kind'], unique=False)
    op.drop_index('ix_unit_kind_code', table_name='unit')
