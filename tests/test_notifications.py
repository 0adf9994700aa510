"""Notifications: who is told about what, e-mail after commit via a real local SMTP server, the page."""
from __future__ import annotations

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from caseflow.models import Case, Notification
from caseflow.notifications import CHANNELS, message
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import fire, leader_of, make_case


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp(app, monkeypatch):
    """A real SMTP server on loopback, with the app configured to use it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield inbox
    controller.stop()


def _notes(user, kind=None) -> list[Notification]:
    from caseflow.extensions import db

    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def test_channels_registry():
    assert {"in_app", "email"} <= set(CHANNELS)


def test_each_transition_tells_whoever_it_concerns(db):
    unit = factories.unit()
    leader = leader_of(unit)
    officer = factories.user(role="officer")
    supervisor = factories.user(role="supervisor")
    bystander = factories.user(role="officer")
    case = make_case(unit=unit, state="detected", officer=officer)
    fire(case, "issue_notice", officer)
    assert [n.kind for n in _notes(leader)] == ["notice_issued"]
    assert case.number in message(_notes(leader)[0])
    fire(case, "acknowledge", leader)
    assert [n.kind for n in _notes(officer)] == ["acknowledged"]
    fire(case, "submit_report", leader)
    assert [n.kind for n in _notes(officer)][-1] == "report_submitted"
    fire(case, "reject", officer)
    assert _notes(leader, "rejected")
    fire(case, "escalate", officer)
    assert [n.kind for n in _notes(supervisor)] == ["escalated"]
    fire(case, "order_talk", supervisor)
    assert _notes(leader, "talk_ordered") and _notes(officer, "talk_ordered")
    assert _notes(bystander) == []
    assert _notes(supervisor, "talk_ordered") == []  # the actor is not told about their own action


def test_mail_is_sent_after_commit(db, smtp):
    unit = factories.unit()
    leader = factories.user(role="unit_leader", unit=unit, email="leader@example.org", locale="en")
    case = make_case(unit=unit, state="detected")
    fire(case, "issue_notice", factories.user(role="officer"))
    deadline = time.time() + 5
    while not smtp.messages and time.time() < deadline:
        time.sleep(0.05)
    assert [m.rcpt_tos for m in smtp.messages] == [["leader@example.org"]]
    body = smtp.messages[0].content.decode()
    assert case.number in body
    db.session.expire_all()
    [note] = _notes(leader)
    assert note.email_status == "sent" and note.email_error is None


def test_a_failing_mail_server_never_breaks_a_transition(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens here
    unit = factories.unit()
    leader = factories.user(role="unit_leader", unit=unit, email="leader@example.org")
    case = make_case(unit=unit, state="detected")
    fire(case, "issue_notice", factories.user(role="officer"))
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "notice_issued"
    [note] = _notes(leader)
    assert note.email_status == "failed" and note.email_error


def test_no_mail_server_means_in_app_only(db, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    unit = factories.unit()
    leader = factories.user(role="unit_leader", unit=unit, email="leader@example.org")
    fire(make_case(unit=unit, state="detected"), "issue_notice", factories.user(role="officer"))
    assert smtp.messages == [] and _notes(leader)[0].email_status is None


def test_page_unread_count_and_mark_read(db, login_as):
    unit = factories.unit()
    client = login_as("unit_leader", unit=unit)
    for _ in range(2):
        fire(make_case(unit=unit, state="detected"), "issue_notice", factories.user(role="officer"))
    html = client.get("/notifications/").get_data(as_text=True)
    assert '<b class="count">2</b>' in html
    assert "please acknowledge" in html.lower() or "签收" in html
    first = _notes(client.user)[0]
    token = csrf_token(client, "/notifications/")
    client.post(f"/notifications/{first.id}/read", data={"csrf_token": token})
    assert '<b class="count">1</b>' in client.get("/notifications/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": token})
    assert '<b class="count">0</b>' in client.get("/cases/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.read_at.is_(None))) == 0


def test_others_cannot_mark_my_notifications(db, login_as):
    unit = factories.unit()
    owner = leader_of(unit)
    fire(make_case(unit=unit, state="detected"), "issue_notice", factories.user(role="officer"))
    [note] = _notes(owner)
    other = login_as("officer")
    other.post(f"/notifications/{note.id}/read", data={"csrf_token": csrf_token(other, "/notifications/")})
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None
