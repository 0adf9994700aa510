"""Everything the unit page shows, in a fixed number of queries whatever the unit's history."""
from __future__ import annotations

from sqlalchemy import select, union_all

from caseflow.extensions import db
from caseflow.models import Case, Document, EligibilityRecord, PeriodResult, Signal, Unit
from caseflow.permissions import can
from caseflow.selectors.common import current_quarter
from caseflow.selectors.dashboard import OPEN_STATES, active_due

SIGNALS_SHOWN = 20
DOCUMENTS_SHOWN = 30


def unit_results(unit_id: int) -> tuple[list[PeriodResult], list[PeriodResult]]:
    """The unit's quarterly results (oldest first) and its annual results (quarter 0)."""
    rows = list(db.session.scalars(
        select(PeriodResult).where(PeriodResult.unit_id == unit_id).order_by(PeriodResult.year, PeriodResult.quarter)))
    return [r for r in rows if r.quarter > 0], [r for r in rows if r.quarter == 0]


def unit_page_data(user, unit: Unit, *, year: int | None = None, quarter: int | None = None) -> dict:
    """Trend, selected quarter's breakdown, open cases, signals (officers, supervisors, auditors),
    documents and eligibility of ``unit``; the caller has checked that ``user`` may see it."""
    quarters, years = unit_results(unit.id)
    selected = None
    if year and quarter:
        selected = next((r for r in quarters if (r.year, r.quarter) == (year, quarter)), None)
    if selected is None and quarters:
        cy, cq = current_quarter()
        selected = next((r for r in reversed(quarters) if (r.year, r.quarter) <= (cy, cq)), quarters[-1])
    cases = db.session.execute(
        select(Case, active_due().label("due")).where(Case.unit_id == unit.id, Case.state.in_(OPEN_STATES))
        .order_by(active_due(), Case.id)
    ).all()
    signals = None
    if can(user, "signals.read") and user.role != "monitor":
        signals = list(db.session.scalars(
            select(Signal).where(Signal.unit_id == unit.id).order_by(Signal.received_at.desc()).limit(SIGNALS_SHOWN)))
    # The unit's own documents and its cases' documents: two indexed lookups (an OR of both makes
    # PostgreSQL scan every document).
    ids = union_all(select(Document.id).where(Document.unit_id == unit.id),
                    select(Document.id).join(Case, Case.id == Document.case_id).where(Case.unit_id == unit.id))
    documents = list(db.session.scalars(
        select(Document).where(Document.id.in_(ids.scalar_subquery()))
        .order_by(Document.created_at.desc(), Document.id.desc()).limit(DOCUMENTS_SHOWN)))
    eligibility = list(db.session.scalars(
        select(EligibilityRecord).where(EligibilityRecord.unit_id == unit.id)
        .order_by(EligibilityRecord.year.desc(), EligibilityRecord.award, EligibilityRecord.id)))
    return {"quarters": quarters, "years": years, "selected": selected, "cases": cases, "signals": signals,
            "documents": documents, "eligibility": eligibility}


def trend_chart(quarters: list[PeriodResult]) -> dict:
    """Chart data for the index trend: labels, index values and colours per quarter."""
    return {
        "labels": [f"{r.year}Q{r.quarter}" for r in quarters],
        "values": [round(float(r.index), 2) for r in quarters],
        "colours": [r.colour for r in quarters],
    }
