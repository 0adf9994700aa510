"""Administration screens: users, units, stations, calendar; and who may reach them."""
from __future__ import annotations

from datetime import date

from caseflow.extensions import db
from caseflow.models import HolidayEntry, Station, Unit, User
from caseflow.services.calendar import get_calendar
from tests import factories
from tests.conftest import csrf_token


def test_admin_creates_a_unit_leader_who_can_log_in(login_as, app):
    admin = login_as("admin")
    unit = factories.unit(code="V001")
    token = csrf_token(admin, "/admin/users/new")
    response = admin.post("/admin/users/new", data={
        "username": "lin.leader", "display_name": "林书记", "role": "unit_leader", "unit_code": "V001",
        "password": "leader-pass-123", "csrf_token": token})
    assert response.status_code == 302
    created = db.session.query(User).filter_by(username="lin.leader").one()
    assert created.unit_id == unit.id and created.password_hash.startswith("$argon2")
    other = app.test_client()
    token = csrf_token(other)
    assert other.post("/login", data={"username": "lin.leader", "password": "leader-pass-123",
                                      "csrf_token": token}).status_code == 302


def test_unit_leader_without_unit_and_weak_password_are_refused(login_as):
    admin = login_as("admin")
    token = csrf_token(admin, "/admin/users/new")
    response = admin.post("/admin/users/new", data={
        "username": "nounit", "display_name": "x", "role": "unit_leader", "password": "leader-pass-123",
        "csrf_token": token})
    assert response.status_code == 200
    response = admin.post("/admin/users/new", data={
        "username": "weak", "display_name": "x", "role": "officer", "password": "abcdefghijk", "csrf_token": token})
    assert response.status_code == 200
    assert db.session.query(User).filter(User.username.in_(["nounit", "weak"])).count() == 0


def test_admin_deactivates_and_resets(login_as, app):
    admin = login_as("admin")
    target = factories.user("officer")
    token = csrf_token(admin, f"/admin/users/{target.id}")
    admin.post(f"/admin/users/{target.id}/active", data={"csrf_token": token})  # unchecked box → inactive
    assert db.session.get(User, target.id).active is False
    old_token = db.session.get(User, target.id).session_token
    admin.post(f"/admin/users/{target.id}/password", data={"reset-password": "brand-new-pass-9",
                                                           "reset-csrf_token": token, "csrf_token": token})
    assert db.session.get(User, target.id).session_token != old_token


def test_admin_manages_units_and_stations(login_as):
    admin = login_as("admin")
    token = csrf_token(admin, "/admin/units/new")
    response = admin.post("/admin/units/new", data={"code": "T01", "name": "新镇", "kind": "town",
                                                    "headcount": "40", "csrf_token": token, "active": "y"})
    assert response.status_code == 302
    town = db.session.query(Unit).filter_by(code="T01").one()
    admin.post("/admin/units/new", data={"code": "V01", "name": "新村", "kind": "village", "parent_code": "T01",
                                         "csrf_token": token, "active": "y"})
    village = db.session.query(Unit).filter_by(code="V01").one()
    assert village.parent_id == town.id and village.peer_group == "village"
    duplicate = admin.post("/admin/units/new", data={"code": "V01", "name": "重复", "kind": "village",
                                                     "csrf_token": token})
    assert duplicate.status_code == 200 and db.session.query(Unit).count() == 2
    token = csrf_token(admin, "/admin/stations/new")
    response = admin.post("/admin/stations/new", data={"code": "JC99", "name": "新站", "area": [str(village.id)],
                                                       "csrf_token": token, "active": "y"})
    assert response.status_code == 302
    station = db.session.query(Station).filter_by(code="JC99").one()
    assert [u.id for u in station.area] == [village.id]


def test_admin_loads_a_calendar_year(login_as):
    admin = login_as("admin")
    token = csrf_token(admin, "/admin/calendar")
    page = admin.get("/admin/calendar").get_data(as_text=True)
    assert "2026" in page
    response = admin.post("/admin/calendar", data={"table": "2031-01-01,holiday,元旦\n2031-01-04,workday,调休",
                                                   "csrf_token": token})
    assert response.status_code == 302
    assert db.session.query(HolidayEntry).count() == 2
    assert get_calendar().is_workday(date(2031, 1, 4))
    bad = admin.post("/admin/calendar", data={"table": "2031-01-01,party", "csrf_token": token})
    assert bad.status_code == 200 and db.session.query(HolidayEntry).count() == 2


def test_non_admins_cannot_reach_administration(login_as, client):
    for role in ("officer", "supervisor", "unit_leader", "monitor", "auditor"):
        user_client = login_as(role)
        for path in ("/admin/users", "/admin/units/new", "/admin/stations", "/admin/calendar"):
            assert user_client.get(path).status_code == 403, (role, path)
    assert client.get("/admin/users").status_code == 302  # anonymous → login


def test_unit_leader_sees_only_own_unit_pages(login_as):
    leader = login_as("unit_leader")
    other = factories.unit()
    assert leader.get(f"/units/{leader.user.unit_id}").status_code == 200
    assert leader.get(f"/units/{other.id}").status_code == 403
    listing = leader.get("/units/").get_data(as_text=True)
    assert other.name not in listing
    assert leader.get("/units/mine").status_code == 302
