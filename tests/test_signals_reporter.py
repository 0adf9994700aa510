"""Reporter protection: the contact is seen only by the handling officer, the case handler and
supervisors; every view is logged; nobody else sees it on any page or API answer."""
from __future__ import annotations

from sqlalchemy import select

from caseflow.models import AccessLog, Case
from caseflow.services.complaints import complaint_file
from caseflow.services.signals import signal_assign, signal_triage
from tests import factories
from tests.conftest import csrf_token

CONTACT = "李女士 13912345678"


def _complaint():
    unit = factories.unit(name="西岙村")
    signal, _receipt = complaint_file(unit_name="西岙村", category="finance", details="公款私存", contact=CONTACT)
    return signal, unit


def _reveal(client, signal, token=None):
    token = token or csrf_token(client, "/public/complaint")
    return client.post(f"/signals/{signal.id}/reporter", data={"csrf_token": token})


def test_assigned_officer_sees_the_contact_and_the_view_is_logged(app, db, login_as):
    signal, _unit = _complaint()
    officer = login_as("officer")
    signal_assign(signal=signal, officer=officer.user, department="第一纪检监察室", handler=officer.user)
    page = officer.get(f"/signals/{signal.id}").get_data(as_text=True)
    assert CONTACT not in page and f"/signals/{signal.id}/reporter" in page  # shown only on request
    shown = _reveal(officer, signal)
    assert shown.status_code == 200 and CONTACT in shown.get_data(as_text=True)
    entry = db.session.scalars(select(AccessLog)).one()
    assert (entry.user_id, entry.action, entry.object_kind, entry.object_id) == \
        (officer.user.id, "reporter_contact", "signal", signal.id)


def test_case_handler_and_supervisors_see_it(app, db, login_as):
    signal, _unit = _complaint()
    handler = login_as("officer")
    signal_triage(signal=signal, actor=handler.user, action="open_case", title="公款私存")
    case = db.session.get(Case, signal.case_id)
    signal.officer_id = None  # handled through the case only
    db.session.commit()
    assert case.handler_id == handler.user.id
    assert CONTACT in _reveal(handler, signal).get_data(as_text=True)
    supervisor = login_as("supervisor")
    assert CONTACT in _reveal(supervisor, signal).get_data(as_text=True)
    assert len(db.session.scalars(select(AccessLog)).all()) == 2


def test_nobody_else_sees_it_anywhere(app, db, login_as, api_token):
    signal, _unit = _complaint()
    handler = factories.user("officer")
    signal_assign(signal=signal, officer=handler, department="第一纪检监察室", handler=handler)
    for role in ("auditor", "unit_leader", "monitor", "officer", "admin"):
        client = login_as(role)
        assert _reveal(client, signal).status_code == 403, role
        for path in (f"/signals/{signal.id}", "/signals/?queue=all", "/", "/exports/signals.xlsx"):
            with client.get(path) as response:
                assert CONTACT.encode() not in response.data, (role, path)
    for role in ("auditor", "officer", "supervisor"):
        headers = api_token(role)
        client = app.test_client()
        for path in (f"/api/v1/signals/{signal.id}", "/api/v1/signals"):
            response = client.get(path, headers=headers)
            assert response.status_code == 200 and CONTACT not in response.get_data(as_text=True)
    assert db.session.scalars(select(AccessLog)).all() == []


def test_access_log_page_for_supervisors_only(app, db, login_as):
    signal, _unit = _complaint()
    supervisor = login_as("supervisor")
    token = csrf_token(supervisor, "/public/complaint")
    for _ in range(55):
        _reveal(supervisor, signal, token)
    page = supervisor.get("/access-log").get_data(as_text=True)
    assert signal.number in page and supervisor.user.username in page and CONTACT not in page
    assert "page=2" in page
    assert supervisor.get("/access-log?page=2").get_data(as_text=True).count(signal.number) == 5
    for role in ("officer", "auditor", "admin"):
        assert login_as(role).get("/access-log").status_code == 403


def test_contact_never_reaches_the_log(app, db, login_as, caplog):
    signal, _unit = _complaint()
    supervisor = login_as("supervisor")
    with caplog.at_level("DEBUG"):
        _reveal(supervisor, signal)
    assert CONTACT not in caplog.text
