"""The per-request cost of the pages: the layout's queries, reads done once, the start-up freeze of warmed
caches, and the shortcuts that must give exactly what the longer way gave."""
from __future__ import annotations

import gc
from datetime import timedelta

from sqlalchemy import and_, case, event, func, select

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import ROLES, Case, Station, Unit
from caseflow.permissions import can
from caseflow.selectors import dashboard
from caseflow.selectors.units import stations_watching
from tests import factories
from tests.factories_cases import evidence, make_case


class Statements:
    """The SQL statements sent while the block runs."""

    def __enter__(self):
        self.sql: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._log)
        return self

    def _log(self, _conn, _cursor, statement, *_args) -> None:
        self.sql.append(" ".join(statement.split()))

    def __exit__(self, *_exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._log)


def test_layout_of_a_logged_in_page_runs_two_queries(login_as):
    """The user and the unread badge: nav, CSRF, translations and headers query nothing."""
    client = login_as("officer")
    assert client.get("/account/password").status_code == 200
    with Statements() as s:
        response = client.get("/account/password")
    assert response.status_code == 200
    assert len(s.sql) == 2, s.sql


def test_case_page_reads_its_attachments_once(login_as):
    client = login_as("officer")
    row = make_case(state="rectifying", officer=client.user)
    evidence(row, client.user)
    assert client.get(f"/cases/{row.id}").status_code == 200
    with Statements() as s:
        page = client.get(f"/cases/{row.id}")
    assert page.status_code == 200 and "evidence.txt" in page.get_data(as_text=True)
    assert sum(" FROM attachment" in sql for sql in s.sql) == 1


def test_officer_queue_counts_equal_one_query_per_count(app, db):
    officer = factories.user("officer")
    for state in ("detected", "notice_issued", "rectifying", "rectifying", "verifying"):
        make_case(state=state, officer=officer)
    late = make_case(state="rectifying", officer=officer)
    late.rectify_due = clock.today() - timedelta(days=3)
    db.session.commit()
    with app.test_request_context(), Statements() as s:
        queue = dashboard.officer_queue(officer)
    assert sum('FROM "case"' in sql for sql in s.sql) == 2, s.sql
    today, soon, due = queue["today"], queue["soon"], dashboard.active_due()
    mine = and_(Case.handler_id == officer.id, Case.state.in_(dashboard.OPEN_STATES))
    by_state = dict(db.session.execute(select(Case.state, func.count()).where(mine).group_by(Case.state)).all())
    late_n, soon_n = db.session.execute(select(func.sum(case((due < today, 1), else_=0)),
                                               func.sum(case((and_(due >= today, due <= soon), 1), else_=0)))
                                        .where(mine)).one()
    assert queue["by_state"] == by_state and queue["open"] == sum(by_state.values()) == 6
    assert (queue["overdue"], queue["due_soon"]) == (int(late_n or 0), int(soon_n or 0))
    assert queue["overdue"] >= 1


def test_api_lists_give_their_schemas_dumps(client, api_token):
    """The unit and case lists skip marshmallow's field-by-field copy: the answer must be the dump."""
    from caseflow.selectors.cases import cases_page
    from caseflow.selectors.units import units_page
    from caseflow.views.api.cases import CasePage, serialize_case
    from caseflow.views.api.units import UnitPage, serialize_unit

    headers = api_token("officer")
    town = factories.unit(kind="town", peer_group="town", name="某镇")
    for i in range(3):
        make_case(unit=factories.unit(parent_id=town.id, name=f"村{i}"), state="rectifying")
    make_case(state="detected")
    user = db.session.get(type(factories.user()), int(headers["X-User-Id"]))

    units = client.get("/api/v1/units", headers=headers).json
    page = units_page(user, page=1, per_page=50)
    assert units == UnitPage().dump({"items": [serialize_unit(u, c, i) for u, c, i in page.items],
                                     "total": page.total, "page": 1, "per_page": 50})
    assert len(units["items"]) == 5

    cases = client.get("/api/v1/cases", headers=headers).json
    page = cases_page(user, page=1, per_page=50)
    assert cases == CasePage().dump({"items": [serialize_case(c) for c in page.items], "total": page.total,
                                     "page": 1, "per_page": 50})
    assert len(cases["items"]) == 4 and cases["items"][0]["deadlines"] is not None


def test_nav_per_role_equals_the_entry_by_entry_check(app, db):
    from flask import url_for
    from flask_login import login_user

    from caseflow.views.nav import all_entries, nav_items

    for role in ROLES:
        user = factories.user(role)
        with app.test_request_context("/"):
            login_user(user)
            expected = [url_for(e.endpoint) for e in all_entries()
                        if e.endpoint in app.view_functions and (not e.capability or can(user, e.capability))
                        and (e.roles is None or role in e.roles)]
            assert [item["url"] for item in nav_items()] == expected, role


def test_stations_watching_by_the_area_index(app, db):
    units = [factories.unit() for _ in range(3)]
    factories.station(area=[units[0], units[1]], code="S9002")
    factories.station(area=[units[0]], code="S9001")
    factories.station(area=[units[2]], code="S9003")
    assert [s.code for s in stations_watching(units[0].id)] == ["S9001", "S9002"]
    assert [s.code for s in stations_watching(units[2].id)] == ["S9003"]
    expected = db.session.scalars(select(Station.code).where(Station.area.any(Unit.id == units[1].id))
                                  .order_by(Station.code)).all()
    assert [s.code for s in stations_watching(units[1].id)] == expected == ["S9002"]


def test_warmed_caches_are_frozen_once(app, login_as):
    """A page's first request fills the statement and template caches and freezes them; repeating the
    page adds nothing to the caches and freezes nothing more."""
    client = login_as("officer")
    freezer = app.wsgi_app
    assert client.get("/units/").status_code == 200
    assert freezer.largest == freezer.cache_size() > 0
    frozen = gc.get_freeze_count()
    largest = freezer.largest
    assert client.get("/units/").status_code == 200
    assert freezer.largest == largest and gc.get_freeze_count() <= frozen  # (frozen objects may still be freed)
