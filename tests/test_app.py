"""Cross-cutting behaviour: security headers, bilingual error pages, offline assets, CLI."""
from __future__ import annotations

import re
from pathlib import Path

from caseflow.extensions import db
from caseflow.models import Signal, Station, Unit, User

ROOT = Path(__file__).resolve().parent.parent


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_404_and_403_pages_in_both_languages(login_as, client):
    assert "未找到" in client.get("/no-such-page").get_data(as_text=True)
    officer = login_as("officer")
    assert officer.get("/admin/users").status_code == 403


def test_500_page_rolls_back_and_is_friendly(app, db, monkeypatch):
    import caseflow.views.main as main_views

    def boom():
        raise RuntimeError("boom")

    monkeypatch.setattr(main_views.overview, "units_by_kind", boom)
    from tests import factories

    user = factories.user("officer")
    client = app.test_client()
    from tests.conftest import csrf_token

    client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                "csrf_token": csrf_token(client)})
    response = client.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "boom" not in body and "服务器" in body


def test_templates_have_no_inline_scripts_or_external_urls():
    for path in list((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text), path
        assert not re.search(r"(src|href)=[\"']https?://", text), path
        assert " style=" not in text, f"inline style attribute in {path} (CSP forbids it)"


def test_static_assets_are_served_locally(client):
    for path in ("/static/css/app.css", "/static/js/app.js"):
        with client.get(path) as response:
            assert response.status_code == 200


def test_cli_users_create(runner):
    unit = Unit(code="V9", name="九村", kind="village", peer_group="village", headcount=5)
    db.session.add(unit)
    db.session.commit()
    result = runner.invoke(args=["users", "create", "lin", "--role", "unit_leader", "--unit", "V9",
                                 "--password-stdin"], input="a-strong-pass-1\n")
    assert result.exit_code == 0, result.output
    assert db.session.query(User).filter_by(username="lin").one().unit_id == unit.id
    result = runner.invoke(args=["users", "create", "bad", "--role", "unit_leader", "--unit", "NOPE",
                                 "--password-stdin"], input="a-strong-pass-1\n")
    assert result.exit_code != 0 and "Unknown unit" in result.output
    result = runner.invoke(args=["users", "create", "auto", "--role", "auditor"])
    assert result.exit_code == 0 and "password:" in result.output


def test_demo_district_builds_the_seed_district(runner):
    result = runner.invoke(args=["demo", "--seed", "2008"])
    assert result.exit_code == 0, result.output
    assert db.session.query(Unit).count() == 196
    assert db.session.query(Unit).filter_by(kind="village").count() == 62
    assert db.session.query(Station).count() == 30
    roles = {role for (role,) in db.session.query(User.role).distinct()}
    assert roles == {"admin", "officer", "supervisor", "unit_leader", "monitor", "auditor"}
    from caseflow.models import CHANNELS

    channels = {c for (c,) in db.session.query(Signal.channel).distinct()}
    assert channels == set(CHANNELS)
    for role in roles:
        assert role in result.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "already" in again.output
    assert db.session.query(Unit).count() == 196


def test_database_sessions_are_set_up_for_the_app(db):
    """SQLite: foreign keys on, WAL. PostgreSQL: no JIT compilation (it costs more than our queries run), in
    every pooled connection, also after a rollback."""
    from sqlalchemy import text

    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
        return
    assert db.session.scalar(text("SHOW jit")) == "off"
    db.session.rollback()
    with db.engine.connect() as other:
        assert other.scalar(text("SHOW jit")) == "off"
    assert db.session.scalar(text("SHOW jit")) == "off"
