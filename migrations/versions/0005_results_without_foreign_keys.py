"""the results' unit and scheme columns without foreign keys

``period_result`` is derived from the ledger, written by the ledger and grading services from unit
and scheme ids they have just read, like the ledger itself (migration 0003). A full-year recompute
rewrites 40,000 of its rows for a province; on PostgreSQL their two per-row key checks (each locking
the referenced row) made a COPY of 5,000 results take 0.2 s. Units are never deleted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 18:30:00

"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('period_result', schema=None) as batch_op:
        batch_op.drop_constraint('fk_period_result_unit_id_unit', type_='foreignkey')
        batch_op.drop_constraint('fk_period_result_scheme_id_scoring_scheme', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('period_result', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_period_result_scheme_id_scoring_scheme', 'scoring_scheme', ['scheme_id'],
                                    ['id'])
        batch_op.create_foreign_key('fk_period_result_unit_id_unit', 'unit', ['unit_id'], ['id'])
