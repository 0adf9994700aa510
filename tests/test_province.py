"""The province benchmark generator at 1/500 of its size: counts, hash chains, numbering, deadlines."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select, text

from caseflow.demo.province import FULL, build_province
from caseflow.extensions import db as _db
from caseflow.models import Case, CaseEvent, DeadlineChange, Document, DocumentCounter, Signal, Unit, User
from caseflow.services.audit import verify_chain
from caseflow.services.numbering import next_number

SCALE = 1 / 500


@pytest.fixture()
def province(db):
    """A tiny province, built once per test into the clean database."""
    return build_province(seed=7, scale=SCALE, progress=lambda *a: None, ledger=False)


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def _gap_free(numbers: list[str], pattern: str) -> dict[str, list[int]]:
    """Group ``numbers`` by year and return the years whose sequence is not 1..n."""
    by_year: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        match = re.fullmatch(pattern, number)
        assert match, number
        by_year[match.group(1)].append(int(match.group(2)))
    return {y: sorted(n) for y, n in by_year.items() if sorted(n) != list(range(1, len(n) + 1))}


def test_counts_match_the_scale(province):
    assert _count(Unit) == FULL["units"] * SCALE
    assert _count(Signal) == FULL["signals"] * SCALE
    assert _count(Case) == FULL["cases"] * SCALE
    assert province.counts["case"] == FULL["cases"] * SCALE
    # a leader per unit, a monitor per station, the district's demo logins
    assert _db.session.scalar(select(func.count(User.id)).where(User.role == "unit_leader")) == _count(Unit)
    assert _db.session.scalar(select(User.id).where(User.username == "officer")) is not None
    # every state of the machine except possibly the rarest appears, and some open cases are overdue
    states = set(_db.session.scalars(select(Case.state).distinct()))
    assert {"detected", "notice_issued", "rectifying", "closed", "dismissed"} <= states


def test_every_event_chain_verifies(province):
    assert verify_chain() == []
    # the optimistic-lock version moves one step per generated event
    rows = _db.session.execute(select(Case.version, func.count(CaseEvent.id)).join(CaseEvent, CaseEvent.case_id == Case.id)
                               .group_by(Case.id, Case.version)).all()
    assert all(version == events for version, events in rows)


def test_numbers_have_no_gaps_and_counters_continue(province):
    notices = list(_db.session.scalars(select(Document.number).where(Document.kind == "notice")))
    assert notices and len(notices) == _db.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.trigger == "issue_notice"))
    assert _gap_free(notices, r".+〔(\d{4})〕(\d+)号") == {}
    assert _gap_free(list(_db.session.scalars(select(Case.number))), r"YJ(\d{4})-(\d+)") == {}
    assert _gap_free(list(_db.session.scalars(select(Signal.number))), r"LX(\d{4})-(\d+)") == {}
    year, last = _db.session.execute(select(DocumentCounter.year, DocumentCounter.last)
                                     .where(DocumentCounter.prefix == "case").order_by(DocumentCounter.year.desc())
                                     .limit(1)).one()
    assert next_number("case", year) == last + 1


def test_deadlines_agree_with_states_and_history(province):
    cases = list(_db.session.scalars(select(Case)))
    for case in cases:
        assert (case.ack_due is not None) == (case.state == "notice_issued"), case.number
        assert (case.rectify_due is not None) == (case.state == "rectifying"), case.number
        assert (case.verify_due is not None) == (case.state == "verifying"), case.number
        assert (case.closed_at is not None) == (case.state in ("closed", "dismissed", "referred")), case.number
    # the last recorded change of each deadline is the case's current due date
    last: dict[tuple[int, str], object] = {}
    for change in _db.session.scalars(select(DeadlineChange).order_by(DeadlineChange.id)):
        last[(change.case_id, change.kind)] = change.new_due
    columns = {"acknowledge": "ack_due", "rectify": "rectify_due", "verify": "verify_due"}
    for case in cases:
        for kind, column in columns.items():
            assert last.get((case.id, kind)) == getattr(case, column), (case.number, kind)


def test_signals_point_at_their_cases(province):
    opened = _db.session.execute(select(Signal.received_at, Case.opened_at).join(Case, Case.id == Signal.case_id)
                                 .where(Signal.status == "case_opened")).all()
    assert opened and all(received <= opened_at for received, opened_at in opened)


def test_refuses_a_database_that_is_not_empty(province):
    with pytest.raises(RuntimeError, match="not empty"):
        build_province(seed=7, scale=SCALE, progress=lambda *a: None)


def test_documents_verify_and_render(province):
    documents = pytest.importorskip("caseflow.services.documents")
    notice = _db.session.scalar(select(Document).where(Document.kind == "notice").order_by(Document.id.desc()).limit(1))
    receipt = _db.session.scalar(select(Document).where(Document.kind == "receipt").order_by(Document.id).limit(1))
    for document in (notice, receipt):
        documents.document_verify(document)  # the frozen context hashes to what was "issued"
    html = documents.document_render(notice, "html").decode("utf-8")
    assert notice.number in html


# ---------------------------------------------------------------- a larger build: paths, audit, indexes
def _index_names() -> set[str]:
    from sqlalchemy import inspect

    inspector = inspect(_db.session.connection())
    return {(table, index["name"]) for table in inspector.get_table_names() for index in inspector.get_indexes(table)}


def _foreign_keys() -> set[tuple[str, str]]:
    from sqlalchemy import inspect

    inspector = inspect(_db.session.connection())
    return {(table, key["name"] or repr(key["constrained_columns"]))
            for table in inspector.get_table_names() for key in inspector.get_foreign_keys(table)}


def test_a_hundredth_walks_the_state_machine_and_the_audit_verifies(db, app):
    """At 1/100: every case's events replay through the state machine (from ``detected``, each
    trigger allowed from the state before it, for the role that recorded it, ending in the case's
    state), the chain verifies through ``caseflow audit verify``, and the build leaves the schema's
    indexes and foreign keys as it found them (it drops them for the load)."""
    from types import SimpleNamespace

    from caseflow.states import INITIAL, check_permission, destination

    indexes, keys = _index_names(), _foreign_keys()
    lines: list[str] = []
    build_province(seed=11, scale=0.01, progress=lambda phase, done, total: lines.append(phase), ledger=False)
    assert {"units", "plan", "cases", "documents", "signals", "inputs", "indexes"} <= set(lines)
    assert _index_names() == indexes and _foreign_keys() == keys
    assert _count(Case) == FULL["cases"] // 100

    unit_of = dict(_db.session.execute(select(User.id, User.unit_id)).all())
    cases = {c.id: c for c in _db.session.scalars(select(Case))}
    walked: dict[int, SimpleNamespace] = {}
    for event in _db.session.scalars(select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq)):
        case = cases[event.case_id]
        if event.seq == 1:
            assert (event.trigger, event.from_state, event.to_state) == ("open", None, INITIAL), case.number
            walked[case.id] = SimpleNamespace(state=INITIAL, reject_count=0)
            continue
        replay = walked[case.id]
        assert event.from_state == replay.state, (case.number, event.seq)
        check_permission(event.trigger, event.actor_role,
                         same_unit=event.actor_id is not None and unit_of.get(event.actor_id) == case.unit_id)
        assert destination(replay.state, event.trigger, replay, event.data) == event.to_state, (case.number, event.seq)
        replay.state = event.to_state
        replay.reject_count += event.trigger == "reject"
    assert len(walked) == len(cases)
    for case_id, replay in walked.items():
        assert (replay.state, replay.reject_count) == (cases[case_id].state, cases[case_id].reject_count)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "verifies" in result.output, result.output


def test_a_failed_build_puts_the_indexes_back(db, monkeypatch):
    from caseflow.demo.province import ProvinceBuilder

    indexes, keys = _index_names(), _foreign_keys()

    def broken(self):
        raise RuntimeError("signals failed")

    monkeypatch.setattr(ProvinceBuilder, "signals", broken)
    with pytest.raises(RuntimeError, match="signals failed"):
        build_province(seed=7, scale=SCALE, progress=lambda *a: None, ledger=False)
    assert _index_names() == indexes and _foreign_keys() == keys


def test_bulk_values_are_what_the_column_types_bind(db):
    """The writer's fast conversions give the driver exactly what each column type's own bind
    processing gives (timestamps in any zone, dates, flags, decimals, JSON, None)."""
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal

    from caseflow.demo.province import bind_converters
    from caseflow.models import ControlCheck, SurveyResult

    dialect = _db.session.get_bind().dialect
    china = timezone(timedelta(hours=8))
    samples = {
        (Signal, "received_at"): [datetime(2025, 3, 1, 0, 5, tzinfo=UTC), datetime(2025, 3, 1, 8, 5, 7, 12, tzinfo=china),
                                  datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), None],
        (Signal, "discovered_on"): [date(2025, 3, 1), date(2025, 3, 1), date(2024, 2, 29)],
        (Signal, "anonymous"): [True, False, True],
        (Signal, "source_details"): [{"a": "中文"}, {}, None],
        (SurveyResult, "rate"): [Decimal("0.8125"), Decimal("0.8125"), Decimal("1")],
        (ControlCheck, "weight"): [Decimal(1), Decimal("1.0000")],
    }
    for (model, column), values in samples.items():
        table = model.__table__
        (fast,) = bind_converters(table, [column], dialect)
        slow = table.c[column].type._cached_bind_processor(dialect)
        for value in values:
            expected = slow(value) if slow else value
            got = fast(value) if fast else value
            assert type(got) is type(expected), (column, value)
            assert getattr(got, "obj", got) == getattr(expected, "obj", expected), (column, value)  # psycopg's Json
    with pytest.raises(ValueError, match="naive"):
        bind_converters(Signal.__table__, ["received_at"], dialect)[0](datetime(2025, 3, 1))


def test_the_progress_bar_writes_a_line_per_step_when_not_a_terminal():
    import io

    from caseflow.demo.province import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(out, ledger=False)
    for done in range(0, 100_001, 5_000):
        bar("cases", done, 100_000)
    bar("indexes", 3, 3)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("province [") and "cases 0/100,000" in lines[0]
    assert 3 <= len(lines) <= 12  # one per 5 % of the whole bar, not one per call
    assert "100%" in lines[-1] and "indexes 3/3" in lines[-1]


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the password hashes' random salts aside)."""
    out = {}
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.c if c.name != "password_hash"]
        out[table.name] = sorted(map(tuple, _db.session.execute(select(*columns)).all()), key=repr)
    return out


def test_worker_processes_build_the_same_rows_as_one_process(db):
    """Cases and documents are made in blocks by forked workers when the machine has the cores:
    the rows are the ones a single process writes."""
    from datetime import datetime

    from caseflow import clock
    from caseflow.demo.province import ProvinceBuilder

    def build(**workers) -> dict[str, list[tuple]]:
        with clock.frozen(datetime(2026, 11, 20, 10, 0)):
            ProvinceBuilder(seed=5, scale=SCALE, progress=lambda *a: None, **workers).build(ledger=False)
        return _snapshot()

    parallel = build(workers=2, block=40)
    assert len(parallel["case"]) > 40 * 2 and len(parallel["document"]) > 40 * 2  # several blocks each
    tables = _db.metadata.sorted_tables
    if _db.session.get_bind().dialect.name == "postgresql":  # ids from 1 again
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
    else:
        for table in reversed(tables):
            _db.session.execute(table.delete())
    _db.session.commit()
    assert build(workers=1) == parallel
