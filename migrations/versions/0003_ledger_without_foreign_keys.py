"""the ledger's unit and scheme columns without foreign keys

The ledger (``score_entry``) is derived data: only the ledger service writes it, from unit
and scheme ids it has just read, and ``caseflow score`` recomputes and checks it against the
source records. A full-year recompute rewrites ~740,000 rows for a province; PostgreSQL's
per-row foreign-key triggers made three quarters of that write's cost (COPY of 100,000 rows:
3.4 s with the keys, 0.9 s without), SQLite's checks a quarter of it. Units are never deleted
(they are deactivated), so the keys guarded nothing the service does not.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 15:00:00

"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_score_entry_unit_id_unit', type_='foreignkey')
        batch_op.drop_constraint('fk_score_entry_scheme_id_scoring_scheme', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('score_entry', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_score_entry_scheme_id_scoring_scheme', 'scoring_scheme', ['scheme_id'], ['id'])
        batch_op.create_foreign_key('fk_score_entry_unit_id_unit', 'unit', ['unit_id'], ['id'])
