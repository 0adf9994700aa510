"""indexes for the sweep's verification deadlines and an officer's signal counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:05:00

"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_state_verify_due', 'case', ['state', 'verify_due'], unique=False)
    op.create_index('ix_signal_officer_status', 'signal', ['officer_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_signal_officer_status', table_name='signal')
    op.drop_index('ix_case_state_verify_due', table_name='case')
