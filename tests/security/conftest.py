"""Shared fixtures of the security suite: a two-unit world and clients of every role.

Unit A is "ours" (the unit leader leads it, the monitor's station watches it); every object
used for object-level checks (case, document, attachment, signal, notification, user,
station) belongs to unit B, another unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, inspect, select, text

from caseflow.extensions import db as _db
from caseflow.extensions import limiter
from caseflow.models import Document, Notification
from caseflow.services.accounts import token_issue
from caseflow.services.attachments import attachment_save
from caseflow.services.complaints import complaint_file
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import evidence, leader_of, make_case
from tests.factories_signals import PNG, signal

ROLES = ("admin", "officer", "supervisor", "unit_leader", "monitor", "auditor")


@dataclass
class World:
    unit_a: object
    unit_b: object
    station_a: object
    station_b: object
    users: dict
    case_b: object
    document_b: object
    case_attachment_b: object
    signal_b: object
    signal_attachment_b: object
    complaint_b: object
    receipt: str
    notification_b: object
    leader_b: object
    ids: dict = field(default_factory=dict)


def build_world() -> World:
    unit_a = factories.unit(name="甲村")
    unit_b = factories.unit(name="乙村")
    station_a = factories.station(area=[unit_a])
    station_b = factories.station(area=[unit_b])
    users = {
        "admin": factories.user("admin"),
        "officer": factories.user("officer"),
        "supervisor": factories.user("supervisor"),
        "unit_leader": factories.user("unit_leader", unit=unit_a),
        "monitor": factories.user("monitor", station=station_a),
        "auditor": factories.user("auditor"),
    }
    leader_b = leader_of(unit_b)
    case_b = make_case(unit=unit_b, state="notice_issued")
    document_b = _db.session.scalar(select(Document).where(Document.case_id == case_b.id).order_by(Document.id))
    case_attachment_b = evidence(case_b, leader_b)
    signal_b = signal(unit=unit_b)
    signal_attachment_b = attachment_save(content=PNG, filename="photo.png", actor=None, signal=signal_b)
    complaint_b, receipt = complaint_file(unit_name=unit_b.name, category="finance", details="乙村账目不清",
                                          contact="13800000000")
    notification_b = _db.session.scalar(select(Notification).where(Notification.user_id == leader_b.id)
                                        .order_by(Notification.id))
    assert document_b is not None and notification_b is not None
    world = World(unit_a, unit_b, station_a, station_b, users, case_b, document_b, case_attachment_b, signal_b,
                  signal_attachment_b, complaint_b, receipt, notification_b, leader_b)
    world.ids = {"unit_a": unit_a.id, "unit_b": unit_b.id, "case_b": case_b.id, "document_b": document_b.id,
                 "case_attachment_b": case_attachment_b.id, "signal_b": signal_b.id,
                 "signal_attachment_b": signal_attachment_b.id, "complaint_b": complaint_b.id,
                 "notification_b": notification_b.id, "leader_b": leader_b.id, "station_b": station_b.id}
    return world


@pytest.fixture()
def world(db):
    return build_world()


def login(app, user):
    """A test client logged in as ``user``."""
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    limiter.reset()
    return client


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {token_issue(user=user)}"}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, sorted (for "nothing changed" comparisons)."""
    _db.session.expire_all()
    out = {}
    with _db.engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def row_counts() -> dict[str, int]:
    with _db.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in _db.metadata.sorted_tables}


def is_postgres() -> bool:
    return _db.engine.dialect.name == "postgresql"


__all__ = ["ROLES", "World", "bearer", "build_world", "login", "snapshot", "row_counts", "is_postgres",
           "inspect", "text"]
