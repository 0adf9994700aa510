"""The province benchmark generator at 1/500 of its size: counts, hash chains, numbering, deadlines."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select

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
