"""Fixtures: one app per session, a clean database per test, clients logged in as any role.

Set TEST_DATABASE_URL to run the suite on PostgreSQL; by default a SQLite file is used.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from caseflow import create_app
from caseflow.config import TestingConfig
from caseflow.extensions import db as _db
from caseflow.extensions import limiter
from tests import factories

_TMP = Path(tempfile.mkdtemp(prefix="caseflow-test-"))


def _database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context (fresh ``g`` and session),
    as in production, even while the test holds an app context open for its own queries."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    """The app, built once; the schema is created from the models (tests/test_migrations.py
    checks separately that the migrations build the same schema)."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _database_url()
        DATA_DIR = str(_TMP / "data")

    application = create_app(Config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        reset_schema()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def reset_schema() -> None:
    if _db.engine.dialect.name == "postgresql":
        with _db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _truncate() -> None:
    _db.session.remove()
    tables = [t.name for t in _db.metadata.sorted_tables]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture()
def db(app):
    """A clean database for one test, inside an app context."""
    with app.app_context():
        _truncate()
        limiter.reset()
        yield _db
        _db.session.rollback()
        _truncate()


@pytest.fixture()
def client(app, db):
    """A test client on a clean database."""
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    """A CLI runner on a clean database."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and return the CSRF token from its form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture()
def login_as(app, db):
    """Return a function that creates a user of a role and a client logged in as it."""

    def _login(role: str, **kwargs):
        user = factories.user(role=role, **kwargs)
        client = app.test_client()
        token = csrf_token(client)
        response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        return client

    return _login


@pytest.fixture()
def api_token(app, db):
    """Return a function giving a bearer header for a new user of a role."""
    from caseflow.services.accounts import token_issue

    def _token(role: str, **kwargs) -> dict:
        user = factories.user(role=role, **kwargs)
        return {"Authorization": f"Bearer {token_issue(user=user)}", "X-User-Id": str(user.id)}

    return _token
