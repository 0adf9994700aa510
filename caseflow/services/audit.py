"""The tamper-evident event chain: canonical hashing and verification."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from caseflow.extensions import db
from caseflow.models import Case, CaseEvent

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Turn form data into JSON values (dates as ISO strings) so it hashes the same after a round trip."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def event_hash(event: CaseEvent) -> str:
    """SHA-256 over the canonical JSON of the event's content and its predecessor's hash."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    body = {
        "case_id": event.case_id, "seq": event.seq, "trigger": event.trigger,
        "from_state": event.from_state, "to_state": event.to_state, "actor_id": event.actor_id,
        "actor_role": event.actor_role, "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "data": event.data or {}, "prev_hash": event.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_LAST_LINK = (select(CaseEvent.seq, CaseEvent.hash).where(CaseEvent.case_id == bindparam("case_id"))
              .order_by(CaseEvent.seq.desc()).limit(1))


def last_link(case_id: int) -> tuple[int, str] | None:
    """The ``(seq, hash)`` the next event of a case chains to, or None before its first event.

    Two columns through the ``(case_id, seq)`` unique index: no event row (and its actor) is
    loaded. Read it after the case's versioned UPDATE (``services.cases``), which holds the case
    row, so no other transition of the case can append in between.
    """
    row = db.session.execute(_LAST_LINK, {"case_id": case_id}).first()
    return (row.seq, row.hash) if row is not None else None


def last_links(case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """``last_link`` of many cases in one query (the newest event of each through the (case_id, seq) index);
    cases without events are left out."""
    newest = (select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
              .where(CaseEvent.case_id.in_(case_ids)).group_by(CaseEvent.case_id).subquery())
    rows = db.session.execute(select(CaseEvent.case_id, CaseEvent.seq, CaseEvent.hash).join(
        newest, (CaseEvent.case_id == newest.c.case_id) & (CaseEvent.seq == newest.c.seq)))
    return {case_id: (seq, hash_) for case_id, seq, hash_ in rows}


@dataclass
class ChainProblem:
    """The first broken link of one case's chain."""

    case_id: int
    case_number: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.case_number} (case {self.case_id}) event {self.seq}: {self.problem}"


def _check(events: list[CaseEvent]) -> tuple[int, str] | None:
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return event.seq, f"sequence gap: expected {expected_seq}"
        if event.prev_hash != prev:
            return event.seq, "previous-hash mismatch (an event was removed or changed)"
        if event_hash(event) != event.hash:
            return event.seq, "content does not match its hash (the event was altered)"
        prev = event.hash
    return None


def verify_chain(case_id: int | None = None) -> list[ChainProblem]:
    """Walk every case's chain (or one case's) and return the first broken link per case.

    Events are streamed in (case, seq) order in one query, so the walk scales with the table.
    """
    cases = select(Case.id, Case.number).order_by(Case.id)
    events = (select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq)
              .execution_options(populate_existing=True, yield_per=2000))
    if case_id is not None:
        cases, events = cases.where(Case.id == case_id), events.where(CaseEvent.case_id == case_id)
    numbers = dict(db.session.execute(cases).all())
    chains: dict[int, list[CaseEvent]] = {cid: [] for cid in numbers}
    problems: dict[int, ChainProblem] = {}
    current: list[CaseEvent] = []

    def close(chain: list[CaseEvent]) -> None:
        if chain and (found := _check(chain)):
            cid = chain[0].case_id
            problems[cid] = ChainProblem(cid, numbers.get(cid, "?"), *found)
        if chain:
            chains.pop(chain[0].case_id, None)

    for event in db.session.scalars(events):
        if current and event.case_id != current[0].case_id:
            close(current)
            current = []
        current.append(event)
    close(current)
    for cid in chains:  # cases whose whole history is missing
        problems[cid] = ChainProblem(cid, numbers[cid], 0, "no events")
    return [problems[cid] for cid in sorted(problems)]
