"""The migrations build exactly the models' schema, and go down to base and up again."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from caseflow.extensions import db
from tests.conftest import reset_schema


def _diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_models_and_round_trip(app):
    with app.app_context():
        db.session.remove()
        try:
            reset_schema()
            upgrade()
            assert _diff() == [], "models and migrations disagree: run `caseflow db migrate` and review"
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert "case_event" in inspect(db.engine).get_table_names()
        finally:
            reset_schema()
            db.create_all()
