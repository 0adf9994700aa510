"""Hardening: headers on every page type, cookies, CSRF, escaping, upload checks, access log."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from caseflow.config import ProductionConfig
from caseflow.extensions import db as _db
from caseflow.models import AccessLog, Attachment
from caseflow.services.cases import case_open
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import make_case
from tests.factories_signals import signal
from tests.security.conftest import bearer, login, snapshot
from tests.security.test_authorization_matrix import Caller, fill, routes

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _check_headers(response, where: str) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    script = re.search(r"script-src ([^;]*)", csp) or re.search(r"default-src ([^;]*)", csp)
    assert script and "'unsafe-inline'" not in script.group(1) and "'unsafe-eval'" not in script.group(1), where
    assert "frame-ancestors 'none'" in csp or h.get("X-Frame-Options") == "DENY", where
    assert h.get("X-Frame-Options") == "DENY", where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where


@pytest.mark.parametrize("role", ["anonymous", "supervisor", "unit_leader"])
def test_security_headers_on_every_get_route(app, world, role):
    """HTML pages, JSON, PDF/DOCX, XLSX, SVG, redirects and error pages all carry the headers."""
    caller = Caller(app, role, world)
    kinds = set()
    for method, rule, endpoint in routes(app):
        if method != "GET":
            continue
        url = fill(rule, endpoint, world)
        with caller.request(method, url, rule) as response:
            _check_headers(response, f"{role} {url} [{response.status_code}]")
            kinds.add(response.mimetype)
    with caller.web.get("/static/css/app.css") as response:
        _check_headers(response, "static css")
    with caller.web.get("/no/such/page") as response:
        assert response.status_code == 404
        _check_headers(response, "404 page")
    if role == "supervisor":
        assert {"text/html", "application/json", "application/pdf", "image/svg+xml"} <= kinds, kinds


def test_session_cookie_is_secure_under_https_settings(app, db, monkeypatch):
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    user = factories.user("officer")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_every_state_changing_page_refuses_a_request_without_a_csrf_token(app, world):
    """Every non-API POST, as a user allowed to use it (officer / supervisor / admin / monitor /
    anonymous), is refused without a token and changes nothing."""
    clients = {role: login(app, world.users[role]) for role in ("officer", "supervisor", "admin", "monitor")}
    clients["anonymous"] = app.test_client()
    checked = 0
    before = snapshot()
    for method, rule, endpoint in routes(app):
        if method == "GET" or rule.startswith("/api/"):
            continue
        url = fill(rule, endpoint, world)
        for role, client in clients.items():
            with client.post(url, data={"receipt": world.receipt, "reason": "x", "username": "x"}) as response:
                assert response.status_code in (400, 403, 302), (role, url, response.status_code)
                if response.status_code == 302:  # only a login redirect (anonymous) is acceptable
                    assert "/login" in response.headers["Location"], (role, url)
            checked += 1
    after = snapshot()
    changed = [n for n in before if before[n] != after[n] and n not in ("user",)]  # last_login of the logins
    assert changed == []
    assert checked >= 40


def test_the_api_is_bearer_only_and_needs_no_csrf_token(app, world):
    officer = world.users["officer"]
    response = app.test_client().post(f"/api/v1/signals/{world.signal_b.id}/assign", headers=bearer(officer),
                                      json={"department": "第一室", "handler_id": officer.id})
    assert response.status_code == 200, response.get_data(as_text=True)
    # a session cookie alone does not authenticate the API (so CSRF cannot ride on it)
    web = login(app, officer)
    assert web.get("/api/v1/cases").status_code == 401


def test_user_input_is_rendered_escaped(app, db):
    unit = factories.unit(name=f"村{XSS}")
    officer = factories.user("officer")
    case = case_open(unit=unit, title=f"标题{XSS}", category="finance", actor=officer)
    sig = signal(unit=unit, summary=f"摘要{XSS}", details=f"详情{XSS}")
    supervisor = login(app, factories.user("supervisor"))
    pages = ["/cases/", f"/cases/{case.id}", "/signals/?queue=all", f"/signals/{sig.id}", "/units/", "/",
             f"/units/{unit.id}", "/board/"]
    for page in pages:
        html = supervisor.get(page).get_data(as_text=True)
        assert XSS not in html, page
    for page in pages[:4]:
        assert ESCAPED in supervisor.get(page).get_data(as_text=True), page
    # a web form submission too: a case opened through the UI with a script in its title
    token = csrf_token(supervisor, "/cases/")
    response = supervisor.post("/cases/new", data={"csrf_token": token, "open-title": XSS, "open-unit_id": unit.id,
                                                   "open-category": "finance", "open-severity": "minor",
                                                   "open-unit": unit.id})
    assert response.status_code in (302, 422), response.status_code
    assert XSS not in supervisor.get("/cases/").get_data(as_text=True)


@pytest.mark.parametrize(("name", "content"), [
    ("evidence.pdf", b"<html><script>alert(1)</script></html>"),
    ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64),
    ("report.docx", b"PK\x03\x04" + b"\x00" * 40),
])
def test_uploads_are_checked_by_content_over_http(app, db, name, content):
    case = make_case(state="rectifying")
    officer = factories.user("officer")
    before = _db.session.scalar(select(func.count(Attachment.id)))
    api = app.test_client().post(f"/api/v1/cases/{case.id}/attachments", headers=bearer(officer),
                                 content_type="multipart/form-data", data={"file": (io.BytesIO(content), name)})
    assert api.status_code == 422, api.get_data(as_text=True)
    assert api.get_json()["error"]["field"] == "file"
    web = login(app, officer)
    token = csrf_token(web, f"/cases/{case.id}")
    page = web.post(f"/cases/{case.id}/attachments", content_type="multipart/form-data",
                    data={"csrf_token": token, "up-file": (io.BytesIO(content), name)})
    assert page.status_code in (302, 422)
    assert _db.session.scalar(select(func.count(Attachment.id))) == before


def test_sensitive_reads_are_logged_and_the_log_is_for_supervisors_only(app, world):
    supervisor = login(app, world.users["supervisor"])
    token = csrf_token(supervisor, f"/signals/{world.complaint_b.id}")
    page = supervisor.post(f"/signals/{world.complaint_b.id}/reporter", data={"csrf_token": token})
    assert page.status_code == 200 and "13800000000" in page.get_data(as_text=True)
    with supervisor.get(f"/documents/{world.document_b.id}") as download:
        assert download.status_code == 200
    officer = world.users["officer"]
    with app.test_client().get(f"/api/v1/documents/{world.document_b.id}", headers=bearer(officer)) as api:
        assert api.status_code == 200
    _db.session.expire_all()
    actions = [(a.action, a.object_id, a.user_id) for a in _db.session.scalars(select(AccessLog).order_by(AccessLog.id))]
    assert ("reporter_contact", world.complaint_b.id, world.users["supervisor"].id) in actions
    assert ("document_download", world.document_b.id, world.users["supervisor"].id) in actions
    assert ("document_download", world.document_b.id, officer.id) in actions
    html = supervisor.get("/access-log").get_data(as_text=True)
    assert world.users["supervisor"].display_name in html or world.users["supervisor"].username in html
    for role in ("admin", "officer", "unit_leader", "monitor", "auditor"):
        assert login(app, world.users[role]).get("/access-log").status_code == 403, role
    # the contact never appears on the signal page or in the API for anyone
    for role in ("officer", "auditor"):
        html = login(app, world.users[role]).get(f"/signals/{world.complaint_b.id}").get_data(as_text=True)
        assert "13800000000" not in html, role
        body = app.test_client().get(f"/api/v1/signals/{world.complaint_b.id}",
                                     headers=bearer(world.users[role])).get_data(as_text=True)
        assert "13800000000" not in body, role
