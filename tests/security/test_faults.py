"""Fault injection: a transition that fails at any step leaves the database exactly as before.

Faults are injected (1) after the state machine has fired and the event row exists (before
any hook), (2) while booking score entries (ledger hook), (3) while issuing/rendering a
document (documents hook, and ``document_issue`` itself), (4) while queueing notifications
(notifications hook) and (5) at commit. Each is tried on several triggers, and the full
content of every table is compared before and after. Then the environment faults: the
mail server down, the disk full for uploads, the database connections dropped between
requests.

Already covered elsewhere (not repeated here): a failure after every hook ran
(tests/test_case_service.py::test_failure_after_state_change_leaves_everything_untouched),
after-commit mail failures (::test_after_commit_failure_does_not_reach_the_caller), mail to a
closed port at service level (tests/test_notifications.py::test_a_failing_mail_server_never_breaks_a_transition),
disk full at service level (tests/test_attachments.py::test_disk_full_gives_a_clear_error_and_no_row).
"""
from __future__ import annotations

import errno
import importlib
import io
import socket

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from caseflow.extensions import db as _db
from caseflow.models import Attachment, Case, Notification
from caseflow.services import attachments as attachment_service
from caseflow.services.audit import verify_chain
from caseflow.services.cases import TransitionFailed, case_transition
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import DEFAULT_DATA, evidence, leader_of, make_case
from tests.security.conftest import bearer, is_postgres, login, snapshot

# trigger -> (state the case is brought to first, role firing it)
TRIGGERS = {
    "issue_notice": ("detected", "officer"),
    "acknowledge": ("notice_issued", "unit_leader"),
    "submit_report": ("rectifying", "unit_leader"),
    "accept": ("verifying", "officer"),
    "escalate": ("rectifying", "officer"),
    "refer": ("escalated", "supervisor"),
}


class Injected(RuntimeError):
    pass


def _after(module_name: str, attribute: str):
    """Patch target that runs the real function and then fails (its rows are already in the session)."""
    module = importlib.import_module(module_name)
    real = getattr(module, attribute)

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise Injected(f"{module_name}.{attribute} failed after running")

    return module, attribute, failing


def _instead(module_name: str, attribute: str):
    module = importlib.import_module(module_name)

    def failing(*_args, **_kwargs):
        raise Injected(f"{module_name}.{attribute} failed")

    return module, attribute, failing


FAULTS = {
    "after the machine fired (before any hook)": lambda: _instead("caseflow.services.cases", "run_transition_hooks"),
    "booking score entries (ledger hook)": lambda: _after("caseflow.services.ledger", "on_transition"),
    "issuing the document (documents hook)": lambda: _after("caseflow.services.documents", "on_transition"),
    "rendering the document (document_issue)": lambda: _instead("caseflow.services.documents", "document_issue"),
    "queueing notifications (notifications hook)": lambda: _after("caseflow.notifications", "on_transition"),
}


def _actor(case, role):
    return leader_of(case.unit) if role == "unit_leader" else factories.user(role=role)


def _data(case, trigger, actor) -> dict:
    data = dict(DEFAULT_DATA.get(trigger, {}))
    if trigger == "submit_report":
        data["attachment_ids"] = [evidence(case, actor).id]
    return data


def _assert_untouched(before, case_id):
    after = snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], f"tables changed by a failed transition: {changed}"
    assert verify_chain(case_id) == []


# document_issue runs only for the triggers that produce a document (notice, delivery receipt).
DOCUMENT_TRIGGERS = ("issue_notice", "acknowledge")
INJECTIONS = [(fault, trigger) for fault in FAULTS for trigger in TRIGGERS
              if fault != "rendering the document (document_issue)" or trigger in DOCUMENT_TRIGGERS]


@pytest.mark.parametrize(("fault", "trigger"), INJECTIONS)
def test_a_fault_at_any_step_changes_nothing(db, monkeypatch, trigger, fault):
    state, role = TRIGGERS[trigger]
    case = make_case(state=state, severity="serious")
    actor = _actor(case, role)
    data = _data(case, trigger, actor)
    case_id = case.id
    before = snapshot()
    module, attribute, failing = FAULTS[fault]()
    monkeypatch.setattr(module, attribute, failing)
    with pytest.raises(TransitionFailed) as info:
        case_transition(case=db.session.get(Case, case_id), trigger=trigger, actor=actor, data=data)
    assert info.value.status == 500 and isinstance(info.value.__cause__, Injected)
    monkeypatch.undo()
    _db.session.rollback()
    _assert_untouched(before, case_id)
    # And the same transition works once the fault is gone (no manual repair).
    _db.session.expire_all()
    fresh = db.session.get(Case, case_id)
    case_transition(case=fresh, trigger=trigger, actor=actor, data=data)
    assert verify_chain(case_id) == []


@pytest.mark.parametrize("trigger", ["issue_notice", "accept"])
def test_a_fault_at_commit_changes_nothing(db, trigger):
    state, role = TRIGGERS[trigger]
    case = make_case(state=state)
    actor = _actor(case, role)
    data = _data(case, trigger, actor)
    before = snapshot()

    def refuse(_session):
        raise Injected("commit refused")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(TransitionFailed):
            case_transition(case=db.session.get(Case, case.id), trigger=trigger, actor=actor, data=data)
    finally:
        event.remove(Session, "before_commit", refuse)
    _db.session.rollback()
    _assert_untouched(before, case.id)


def test_a_fault_through_the_api_is_a_clean_500_and_changes_nothing(app, db, monkeypatch):
    case = make_case(state="detected")
    officer = factories.user(role="officer")
    before = snapshot()
    module, attribute, failing = _after("caseflow.services.documents", "on_transition")
    monkeypatch.setattr(module, attribute, failing)
    response = app.test_client().post(f"/api/v1/cases/{case.id}/transitions", headers=bearer(officer),
                                      json={"trigger": "issue_notice", "version": case.version,
                                            **DEFAULT_DATA["issue_notice"]})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"]
    assert "Traceback" not in response.get_data(as_text=True)
    monkeypatch.undo()
    after = snapshot()
    # the token row was made before the snapshot; the failed request must not add or change rows
    assert [n for n in before if before[n] != after[n] and n != "api_token"] == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_server_down_the_transition_succeeds_and_the_failure_is_recorded(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    unit = factories.unit()
    leader = factories.user(role="unit_leader", unit=unit, email="leader@example.org")
    case = make_case(unit=unit, state="detected")
    officer = factories.user(role="officer")
    response = app.test_client().post(f"/api/v1/cases/{case.id}/transitions", headers=bearer(officer),
                                      json={"trigger": "issue_notice", "version": case.version,
                                            **DEFAULT_DATA["issue_notice"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "notice_issued"
    _db.session.expire_all()
    notes = list(_db.session.scalars(select(Notification).where(Notification.user_id == leader.id)))
    assert notes and all(n.email_status == "failed" and n.email_error for n in notes)


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _stored_files(app):
    from pathlib import Path
    root = Path(app.config["DATA_DIR"]) / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_disk_full_for_uploads_gives_a_clear_error_and_stores_nothing(app, db, monkeypatch):
    case = make_case(state="rectifying")
    officer = factories.user(role="officer")
    web = login(app, officer)
    token = csrf_token(web, f"/cases/{case.id}")
    files_before = _stored_files(app)
    before = snapshot()
    monkeypatch.setattr(attachment_service.os, "replace", _disk_full)
    content = b"evidence on a full disk\n"
    page = web.post(f"/cases/{case.id}/attachments", content_type="multipart/form-data",
                    data={"csrf_token": token, "up-file": (io.BytesIO(content), "e.txt"),
                          "up-files": (io.BytesIO(content), "e.txt")})
    api = app.test_client().post(f"/api/v1/cases/{case.id}/attachments", headers=bearer(officer),
                                 content_type="multipart/form-data", data={"file": (io.BytesIO(content), "e.txt")})
    assert api.status_code == 507 and api.get_json()["error"]["code"], api.get_data(as_text=True)
    assert page.status_code != 500
    html = web.get(f"/cases/{case.id}").get_data(as_text=True) if page.status_code == 302 else page.get_data(as_text=True)
    assert "storage is full" in html.lower() or "存储空间已满" in html or "空间" in html, html[:2000]
    after = snapshot()
    assert [n for n in before if before[n] != after[n] and n != "api_token"] == []
    assert _db.session.scalar(select(func.count(Attachment.id)).where(Attachment.case_id == case.id)) == 0
    assert _stored_files(app) == files_before


def test_database_connections_dropped_between_requests_the_next_request_succeeds(app, db):
    case = make_case(state="notice_issued")
    officer = factories.user(role="officer")
    web = login(app, officer)
    case_id, version = case.id, case.version
    assert web.get(f"/cases/{case_id}").status_code == 200
    if is_postgres():
        # Kill every server connection of the app's pool (as a PostgreSQL restart would).
        _db.session.remove()
        with _db.engine.connect() as conn:
            mine = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> :mine"), {"mine": mine})
            killed.scalar_one()
            conn.rollback()
        with _db.engine.connect() as conn:  # the connection that ran the kill is killed too
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": mine})
    else:
        _db.session.remove()
        _db.engine.dispose()
    # pool_pre_ping notices the dead connections; the next requests succeed and nothing is lost.
    assert web.get(f"/cases/{case_id}").status_code == 200
    token = csrf_token(web, f"/cases/{case_id}")
    response = web.post(f"/cases/{case_id}/fire/escalate",
                        data={"csrf_token": token, "escalate-version": str(version), "escalate-reason": "manual"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    _db.session.remove()
    fresh = _db.session.get(Case, case_id)
    assert fresh.state == "escalated" and verify_chain(case_id) == []
