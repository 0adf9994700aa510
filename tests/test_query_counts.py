"""No N+1: every main page issues the same number of SQL queries with N rows and with 3N rows.

The data are the province generator at two tiny scales (30 and 90 units, 300 and 900 cases);
lists are opened with ``per_page=200`` so the larger dataset really shows more rows on the page.
Pages are discovered in ``app.url_map``; the core pages must exist, the others are checked
when present.
"""
from __future__ import annotations

from sqlalchemy import bindparam, event, func, select, update

from caseflow.demo.province import build_province
from caseflow.extensions import db as _db
from caseflow.models import Case, CaseEvent, Unit, User
from tests.conftest import _truncate

SCALE = 0.003  # 30 units, 900 signals, 300 cases; the second build is three times larger
REQUIRED = ("units.index", "units.show", "board.index", "main.home", "cases.index", "cases.show")
# page, role ("api:" = bearer token, None = anonymous), endpoint, url values
PAGES = [
    ("unit list", "officer", "units.index", {"per_page": 200}),
    ("unit page", "officer", "units.show", {"unit_id": "unit"}),
    ("board", "supervisor", "board.index", {}),
    ("dashboard (officer)", "officer", "main.home", {}),
    ("dashboard (supervisor)", "supervisor", "main.home", {}),
    ("dashboard (unit leader)", "unit_leader", "main.home", {}),
    ("officer queue", "officer", "cases.index", {"per_page": 200}),
    ("case list (filters)", "supervisor", "cases.index", {"tab": "all", "state": "rectifying", "per_page": 200}),
    ("case page", "officer", "cases.show", {"case_id": "case"}),
    ("signal queue", "officer", "signals.queue", {"per_page": 200}),
    ("unit index breakdown", "officer", "scoring.unit_index_page", {"unit_id": "unit"}),
    ("public board", None, "public_board.grades", {}),
    ("API units", "api:officer", "api_units.list_units", {"per_page": 200}),
    ("API cases", "api:officer", "api_cases.list_cases", {"per_page": 200}),
    ("API case", "api:officer", "api_cases.get_case", {"case_id": "case"}),
    ("API signals", "api:officer", "api_signals.list_signals", {"per_page": 200}),
]
USERNAMES = {"officer": "officer", "supervisor": "supervisor", "unit_leader": "leader"}


def _client(app, role: str | None):
    client = app.test_client()
    if role is None:
        return client
    user = _db.session.scalar(select(User).where(User.username == USERNAMES[role.removeprefix("api:")]))
    if role.startswith("api:"):
        from caseflow.services.accounts import token_issue

        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_issue(user=user)}"
    else:
        identity = user.get_id()
        with client.session_transaction() as session:
            session["_user_id"] = identity
            session["_fresh"] = True
    return client


def _counts(app) -> dict[str, int]:
    """Build nothing; open every present page (once to warm up, once counted) and return its query count."""
    from flask import url_for

    ids = {
        "case": _db.session.scalar(select(CaseEvent.case_id).order_by(CaseEvent.seq.desc(), CaseEvent.case_id).limit(1)),
        "unit": _db.session.scalar(select(Case.unit_id).group_by(Case.unit_id)
                                   .order_by(func.count(Case.id).desc(), Case.unit_id).limit(1)),
    }
    counted = {"n": 0}

    def count(*_args) -> None:
        counted["n"] += 1

    clients: dict = {}
    out: dict[str, int] = {}
    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        for name, role, endpoint, values in PAGES:
            if endpoint not in app.view_functions:
                continue
            with app.test_request_context():
                url = url_for(endpoint, **{k: ids.get(v, v) if isinstance(v, str) else v for k, v in values.items()})
            if role not in clients:
                clients[role] = _client(app, role)
            client = clients[role]
            assert client.get(url).status_code == 200, f"{name}: {url}"
            counted["n"] = 0
            response = client.get(url)
            assert response.status_code == 200, f"{name}: {url}"
            out[name] = counted["n"]
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return out


def test_the_core_pages_exist(app):
    missing = [endpoint for endpoint in REQUIRED if endpoint not in app.view_functions]
    assert not missing, f"pages the query-count check needs are missing: {missing}"


def _spread_handlers() -> None:
    """Hand the cases to many different officers (one per ten cases, round robin), so that a handler loaded
    per row shows as a count that grows with the data (the generator's few officers would hide it)."""
    from tests import factories

    cases = list(_db.session.scalars(select(Case.id).order_by(Case.id)))
    officers = [factories.user(role="officer", username=f"qc-officer-{i}").id for i in range(len(cases) // 10 + 1)]
    table = Case.__table__
    _db.session.execute(update(table).where(table.c.id == bindparam("cid")).values(handler_id=bindparam("hid")),
                        [{"cid": c, "hid": officers[i % len(officers)]} for i, c in enumerate(cases)])
    _db.session.commit()


def test_query_counts_do_not_grow_with_rows(app, db, monkeypatch):
    build_province(seed=11, scale=SCALE, progress=lambda *a: None)
    _spread_handlers()
    small_units = _db.session.scalar(select(func.count(Unit.id)))
    # The small build's pages list units in <select>s, the large one's offer a search field
    # (as a district and a province do): the query counts must not differ either.
    monkeypatch.setattr("caseflow.selectors.units.SELECT_MAX", small_units)
    small = _counts(app)
    _truncate()
    build_province(seed=11, scale=3 * SCALE, progress=lambda *a: None)
    _spread_handlers()
    assert _db.session.scalar(select(func.count(Unit.id))) == 3 * small_units
    large = _counts(app)
    assert set(small) == set(large)
    grown = {page: f"{small[page]} → {large[page]} queries" for page in small if small[page] != large[page]}
    assert not grown, f"query counts depend on the number of rows (N+1?): {grown}"
