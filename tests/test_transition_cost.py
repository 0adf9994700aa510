"""What one case transition asks the database: the chain link, numbering and documents stay cheap."""
from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from caseflow.extensions import db as _db
from caseflow.models import Document, DocumentCounter
from caseflow.services.audit import GENESIS, last_link, verify_chain
from caseflow.services.numbering import next_number
from tests import factories
from tests.factories_cases import fire, leader_of, make_case


@contextmanager
def statements():
    """Collect the SQL statements sent while the block runs (whitespace collapsed)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def _touching(seen: list[str], table: str) -> list[str]:
    pattern = re.compile(rf'\b(FROM|INTO|UPDATE) "?{table}"?\b', re.IGNORECASE)
    return [s for s in seen if pattern.search(s)]


def test_the_chain_link_is_two_columns_read_once(db):
    case = make_case(state="notice_issued")
    with statements() as seen:
        fire(case, "acknowledge", leader_of(case.unit), method="system")
    reads = [s for s in _touching(seen, "case_event") if s.upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    # The link needs seq and hash only: no event row, no joined actor, user or unit.
    assert re.match(r"SELECT case_event\.seq, case_event\.hash FROM case_event WHERE", reads[0]), reads[0]
    assert verify_chain(case.id) == []


def test_a_receipt_does_not_scan_attachments(db):
    case = make_case(state="notice_issued")
    officer = factories.user(role="officer")
    with statements() as seen:
        fire(case, "acknowledge", officer, method="paper")
    assert _touching(seen, "attachment") == []
    receipt = db.session.scalar(select(Document).where(Document.kind == "receipt", Document.case_id == case.id))
    assert receipt.context["scan_attachment_id"] is None


def test_a_notice_number_costs_one_statement(db):
    case = make_case(state="detected")
    with statements() as seen:
        fire(case, "issue_notice", factories.user(role="officer"))
    assert len(_touching(seen, "document_counter")) == 1


def test_next_number_is_gap_free_per_prefix_and_year_and_given_back_on_rollback(db):
    assert [next_number("T", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("T", 2027) == 1 and next_number("U", 2026) == 1
    db.session.commit()
    assert next_number("T", 2026) == 4
    db.session.rollback()
    assert next_number("T", 2026) == 4
    db.session.commit()
    row = db.session.get(DocumentCounter, ("T", 2026))
    assert row.last == 4


def test_last_link_follows_the_chain(db):
    case = make_case(state="detected")
    seq, digest = last_link(case.id)
    assert seq == 1 and digest != GENESIS
    fire(case, "issue_notice", factories.user(role="officer"))
    assert last_link(case.id)[0] == 2
    assert last_link(-1) is None


def test_notification_recipients_are_plain_user_rows(db):
    """The recipients' query (an escalation notifies every supervisor) joins no unit or station."""
    from caseflow.models import Case, DeadlineChange, User

    case = make_case(state="rectifying")
    factories.user(role="supervisor")
    case_id, officer_id = case.id, case.handler_id
    db.session.commit()
    db.session.expunge_all()  # as a request
    case, officer = db.session.get(Case, case_id), db.session.get(User, officer_id)
    with statements() as seen:
        fire(case, "escalate", officer, reason="manual")
    start = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO case_event"))
    reads = [i for i, s in enumerate(seen) if i > start and re.match(r'SELECT "?user"?\.id\b.* FROM "?user"? WHERE', s)]
    assert reads and not any(re.search(r"\bJOIN\b", seen[i], re.IGNORECASE) for i in reads), seen
    assert db.session.scalar(select(DeadlineChange.id).where(DeadlineChange.case_id == case_id).limit(1))
