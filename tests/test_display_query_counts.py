"""Board, dashboards, unit page and analysis issue the same number of SQL queries at 1× and 3× the data."""
from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from caseflow import clock
from caseflow.extensions import db as _db
from caseflow.selectors.common import current_quarter
from tests import factories
from tests import factories_display as fd


@contextlib.contextmanager
def count_queries():
    """Count the statements sent to the database inside the block."""
    counter = {"n": 0}

    def _count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(_db.engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(_db.engine, "before_cursor_execute", _count)


def _grow(batch: int, ctx: dict) -> None:
    """Add one batch: a town with villages, results for two quarters, cases, signals, documents."""
    year, quarter = current_quarter()
    prev = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    today = clock.today()
    town = factories.unit(kind="town", peer_group="town", code=f"T{batch:03d}")
    agency = factories.unit(kind="agency", peer_group="agency", code=f"A{batch:03d}")
    for i in range(8):
        unit = factories.unit(parent_id=town.id, code=f"V{batch:03d}{i:02d}")
        fd.result(unit, year, quarter, 55 + 5 * i, commit=False)
        fd.result(unit, *prev, 95 - 5 * i, commit=False)
        fd.result(unit, year - 1, 0, 80, grade="B", commit=False)
    fd.result(agency, year, quarter, 66, commit=False)
    _db.session.commit()
    target = ctx["unit"]
    for i in range(4):
        fd.case(target, state="rectifying", handler=ctx["officer"], rectify_due=today - timedelta(days=i))
        fd.case(town, state="escalated")
        fd.case(target, state="notice_issued", handler=ctx["officer"], ack_due=today + timedelta(days=i))
        closed = fd.case(agency, state="closed", closed_at=clock.now())
        fd.event(closed, "acknowledge", "rectifying", clock.now() - timedelta(days=7))
        fd.signal(unit=target, reporter_id=ctx["monitor"].id)
        fd.signal(unit=town, status="assigned", officer_id=ctx["officer"].id, handling_due=today)
        fd.document(unit=target)
        fd.eligibility(target, 2025 - i)
    for q in range(1, 5):
        fd.result(target, 2000 + batch, q, 70 + q, commit=False)
    _db.session.commit()


@pytest.fixture()
def clients(login_as):
    unit = factories.unit(code="TARGET")
    fd.year_status(current_quarter()[0] - 1, "published")
    result = {"supervisor": login_as("supervisor"), "officer": login_as("officer"),
              "auditor": login_as("auditor"), "admin": login_as("admin"), "monitor": login_as("monitor"),
              "unit_leader": login_as("unit_leader", unit=unit)}
    return result, {"unit": unit, "officer": result["officer"].user, "monitor": result["monitor"].user}


PAGES = [
    ("supervisor", "/board/"),
    ("supervisor", "/board/?colour=red"),
    ("supervisor", "/board/print"),
    ("supervisor", "/"),
    ("officer", "/"),
    ("auditor", "/"),
    ("admin", "/"),
    ("monitor", "/"),
    ("unit_leader", "/"),
    ("supervisor", "/units/{unit}"),
    ("unit_leader", "/units/{unit}"),
    ("supervisor", "/analysis/quarterly"),
    ("supervisor", "/analysis/half-year"),
    (None, "/public/grades"),
]


def _measure(clients: dict, client, ctx: dict) -> dict[str, int]:
    counts = {}
    for role, path in PAGES:
        c = clients[role] if role else client
        url = path.format(unit=ctx["unit"].id)
        c.get(url)  # warm caches (calendar, etc.) so only the page's own queries are counted
        with count_queries() as counter:
            response = c.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[f"{role} {url}"] = counter["n"]
    return counts


def test_query_counts_do_not_grow_with_data(clients, client):
    by_role, ctx = clients
    _grow(1, ctx)
    small = _measure(by_role, client, ctx)
    _grow(2, ctx)
    _grow(3, ctx)
    large = _measure(by_role, client, ctx)
    print("query counts:", small)
    assert small == large
    assert max(small.values()) <= 20, small
