"""Page latency and SQL query counts, measured with the Flask test client, against the floor.

The pages are discovered in ``app.url_map`` at run time: a page whose endpoint is not there
is reported as skipped. Each request is timed end to end (routing, login, queries,
template, response body); the query count is that of one request (a
``before_cursor_execute`` listener), and must not depend on the dataset.
"""
from __future__ import annotations

import statistics
import time

from sqlalchemy import event, func, select

# name, role ("api:" prefix: bearer token), candidate (endpoint, url values), floor path
PAGES: list[tuple[str, str | None, list[tuple[str, dict]], str]] = [
    ("officer queue", "officer", [("cases.index", {"tab": "mine"})], "/queue?officer={officer_id}"),
    ("case page", "officer", [("cases.show", {"case_id": "{case_id}"})], "/case/{case_id}"),
    ("case list (filters)", "supervisor",
     [("cases.index", {"tab": "all", "state": "rectifying", "category": "finance"})],
     "/cases?state=rectifying&category=finance"),
    ("unit list", "officer", [("units.index", {})], "/units?towns=1"),
    ("unit page", "officer", [("units.show", {"unit_id": "{unit_id}"})], "/unit/{unit_id}"),
    ("board", "supervisor", [("board.index", {})], "/board"),
    ("dashboard (officer)", "officer", [("main.home", {})], "/dashboard/officer?officer={officer_id}"),
    ("dashboard (supervisor)", "supervisor", [("main.home", {})], "/dashboard/supervisor"),
    ("public board", None, [("public_board.grades", {}), ("public.board", {})], "/public?year={pub_year}"),
    ("signal queue", "officer", [("signals.queue", {})], "/signals"),
    ("API units", "api:officer", [("api_units.list_units", {})], "/units"),
    ("API cases", "api:officer", [("api_cases.list_cases", {"state": "rectifying"})],
     "/cases?state=rectifying&per_page=50"),
    ("API signals", "api:officer", [("api_signals.list_signals", {})], "/signals"),
]
USERNAMES = {"officer": "officer", "supervisor": "supervisor", "unit_leader": "leader", "auditor": "auditor"}


class QueryCounter:
    """Counts the SQL statements sent while it is attached to the engine."""

    def __init__(self, engine) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.n += 1


def client_for(app, role: str | None):
    """A test client logged in as the demo user of ``role`` (None: anonymous; ``api:role``: bearer token)."""
    from caseflow.extensions import db
    from caseflow.models import User

    client = app.test_client()
    if role is None:
        return client
    api = role.startswith("api:")
    role = role.removeprefix("api:")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == USERNAMES[role]))
        if api:
            from caseflow.services.accounts import token_issue

            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_issue(user=user)}"
            return client
        identity = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = identity
        session["_fresh"] = True
    return client


def context(db) -> dict:
    """The ids the pages are opened with: the busiest case, unit and the demo officer."""
    from caseflow.models import Case, CaseEvent, User, YearStatus

    case_id = db.session.scalar(select(CaseEvent.case_id).order_by(CaseEvent.seq.desc(), CaseEvent.case_id).limit(1))
    unit_id = db.session.scalar(select(Case.unit_id).group_by(Case.unit_id)
                                .order_by(func.count(Case.id).desc(), Case.unit_id).limit(1))
    officer_id = db.session.scalar(select(User.id).where(User.username == "officer"))
    published = db.session.scalar(select(func.max(YearStatus.year)).where(YearStatus.status == "published"))
    from caseflow import clock

    return {"case_id": case_id, "unit_id": unit_id, "officer_id": officer_id,
            "pub_year": published or clock.today().year - 1}


def _time(client, url: str, counter: QueryCounter, n: int) -> dict:
    for _ in range(2):  # warm caches (templates, compiled statements, the calendar)
        response = client.get(url)
        if response.status_code != 200:
            return {"error": f"HTTP {response.status_code}"}
    times, queries = [], []
    for _ in range(n):
        counter.n = 0
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.n)
    times.sort()
    return {"p50": round(statistics.median(times), 1), "p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
            "queries": max(queries), "queries_min": min(queries), "n": n, "url": url}


def measure_pages(url: str, n: int) -> dict:
    """Every present page and its floor; pages whose endpoint is absent are listed as skipped."""
    from common import make_app, peak_rss_mb
    from flask import url_for
    from floor import bp as floor_bp

    app = make_app(url)
    app.register_blueprint(floor_bp)
    from caseflow.extensions import csrf, db

    csrf.exempt(floor_bp)
    with app.app_context():
        ctx = context(db)
        counter = QueryCounter(db.engine)
    out, clients = [], {}
    for name, role, candidates, floor in PAGES:
        found = next(((ep, vals) for ep, vals in candidates if ep in app.view_functions), None)
        if found is None:
            out.append({"page": name, "skipped": "endpoint not present: " + ", ".join(ep for ep, _ in candidates)})
            continue
        endpoint, values = found
        with app.test_request_context():
            page_url = url_for(endpoint, **{k: (v.format(**ctx) if isinstance(v, str) else v) for k, v in values.items()})
        if role not in clients:
            clients[role] = client_for(app, role)
        row = {"page": name, "endpoint": endpoint, "role": role or "public"}
        row.update(_time(clients[role], page_url, counter, n))
        floor_result = _time(clients[role], "/_bench/floor" + floor.format(**ctx), counter, n)
        row["floor_p95"] = floor_result.get("p95")
        row["floor_queries"] = floor_result.get("queries")
        if row.get("p95") and row.get("floor_p95"):
            row["ratio"] = round(row["p95"] / row["floor_p95"], 2)
        out.append(row)
    return {"pages": out, "context": ctx, "peak_mb": peak_rss_mb()}
