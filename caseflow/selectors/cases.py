"""Case reads for pages and the API: scoped to what the user may see, eager-loaded, paginated."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, func, or_, select

from caseflow import clock
from caseflow.errors import Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models import Attachment, Case, CaseEvent, DeadlineChange, Document
from caseflow.permissions import can, unit_scope
from caseflow.selectors.common import Page, paginate
from caseflow.selectors.units import unit_search
from caseflow.services.calendar import get_calendar
from caseflow.states import TERMINAL, allowed_triggers, destination

OPEN_STATES = ("detected", "notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
DECISION_STATES = ("escalated", "talk", "inquiry")
# Work-queue tabs per role; the first is the default.
TABS: dict[str, tuple[str, ...]] = {
    "officer": ("mine", "due", "overdue", "verifying", "all"),
    "supervisor": ("decisions", "overdue", "due", "verifying", "all"),
    "unit_leader": ("open", "all"),
    "auditor": ("all", "overdue", "due", "verifying"),
}
SORTS = {
    "opened": Case.opened_at.desc(), "opened_asc": Case.opened_at.asc(), "number": Case.number.asc(),
    "updated": Case.updated_at.desc(), "state": Case.state.asc(),
}
_DUE_COLUMNS = (Case.ack_due, Case.rectify_due, Case.verify_due)


def case_visible(user, case: Case) -> bool:
    """Whether ``user`` may see ``case`` (cases.read, and only their unit's when unit-scoped)."""
    if not can(user, "cases.read"):
        return False
    scope = unit_scope(user)
    return scope is None or case.unit_id == scope


def case_get(user, case_id: int) -> Case:
    """One case the user may see, or NotFound / Forbidden."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound()
    if not case_visible(user, case):
        raise Forbidden()
    return case


def _overdue(today: date):
    return or_(*(and_(c.is_not(None), c < today) for c in _DUE_COLUMNS))


def _due_within(today: date, horizon: date):
    return or_(*(and_(c.is_not(None), c >= today, c <= horizon) for c in _DUE_COLUMNS))


def _tab(stmt: Select, user, tab: str | None, today: date) -> Select:
    if tab == "mine":
        return stmt.where(Case.handler_id == user.id, Case.state.in_(OPEN_STATES))
    if tab == "due":
        return stmt.where(_due_within(today, get_calendar().add_workdays(today, 3)))
    if tab == "overdue":
        return stmt.where(_overdue(today))
    if tab == "verifying":
        return stmt.where(Case.state == "verifying")
    if tab == "decisions":
        return stmt.where(Case.state.in_(DECISION_STATES))
    if tab == "open":
        return stmt.where(Case.state.in_(OPEN_STATES))
    return stmt


def cases_page(user, *, tab: str | None = None, state: str | None = None, unit_id: int | None = None,
               severity: str | None = None, category: str | None = None, overdue: bool | None = None,
               q: str | None = None, sort: str | None = None, page: int = 1, per_page: int = 50,
               unit_q: str | None = None) -> Page:
    """The cases ``user`` may see, filtered, sorted and paginated (one query plus a count); ``unit_q``
    keeps the units whose name contains it or whose code it is."""
    if not can(user, "cases.read"):
        raise Forbidden()
    today = clock.today()
    stmt = select(Case)
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Case.unit_id == scope)
    stmt = _tab(stmt, user, tab, today)
    if state:
        stmt = stmt.where(Case.state == state)
    if unit_id:
        stmt = stmt.where(Case.unit_id == unit_id)
    if unit_q:
        stmt = stmt.where(Case.unit_id.in_(unit_search(unit_q)))
    if severity:
        stmt = stmt.where(Case.severity == severity)
    if category:
        stmt = stmt.where(Case.category == category)
    if overdue is True:
        stmt = stmt.where(_overdue(today))
    elif overdue is False:
        stmt = stmt.where(~_overdue(today))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Case.number.like(like), Case.title.like(like)))
    # The count: the same WHERE on the case table alone (no subquery of every column to wrap and plan).
    count = stmt.with_only_columns(func.count(Case.id))
    stmt = stmt.order_by(SORTS.get(sort or "", SORTS["opened"]), Case.id.desc())
    return paginate(stmt, page, per_page, count=count)


def case_events(case_id: int) -> list[CaseEvent]:
    """The case's events in order (actors eager-loaded)."""
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


def deadline_history(case_id: int) -> list[DeadlineChange]:
    """The case's deadline changes, oldest first."""
    return list(db.session.scalars(select(DeadlineChange).where(DeadlineChange.case_id == case_id)
                                   .order_by(DeadlineChange.id)))


def case_attachments(case_id: int) -> list[Attachment]:
    """The files uploaded to the case."""
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)))


def case_documents(case_id: int) -> list[Document]:
    """The documents the case produced (latest versions last)."""
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id)
                                   .order_by(Document.created_at, Document.id)))


def attachment_get(user, case_id: int, attachment_id: int) -> Attachment:
    """One attachment of a case the user may see."""
    case_get(user, case_id)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.case_id != case_id:
        raise NotFound()
    return row


def triggers_for(user, case: Case) -> list[str]:
    """The triggers ``user`` may fire on ``case`` now (role, unit and state; guards previewed)."""
    if user is None or not case_visible(user, case) or case.state in TERMINAL:
        return []
    names = allowed_triggers(case.state, user.role, same_unit=user.unit_id == case.unit_id)
    out = []
    for name in names:
        try:
            destination(case.state, name, case)
        except Exception:  # noqa: BLE001 - a trigger the machine refuses here is simply not offered
            continue
        out.append(name)
    return out
