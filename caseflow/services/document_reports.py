"""The quarterly analysis report and the half-yearly situation review, issued on demand."""
from __future__ import annotations

from sqlalchemy import select

from caseflow import clock
from caseflow.errors import N_, Conflict, InvalidField
from caseflow.extensions import db
from caseflow.models import Document
from caseflow.permissions import require
from caseflow.selectors.analysis import period_analysis
from caseflow.services.document_contexts import situation_context
from caseflow.services.documents import document_correct, document_issue

REPORT_KINDS: tuple[str, ...] = ("quarterly_report", "halfyear_review")


def report_period(kind: str, year: int, quarter: int | None = None, half: int | None = None) -> str:
    """The ``period`` key a report is filed under: ``2026Q3`` or ``2026H1``."""
    if kind == "quarterly_report":
        if quarter not in (1, 2, 3, 4):
            raise InvalidField(field="quarter")
        return f"{year}Q{quarter}"
    if kind == "halfyear_review":
        if half not in (1, 2):
            raise InvalidField(field="half")
        return f"{year}H{half}"
    raise InvalidField(field="kind")


def report_latest(kind: str, period: str) -> Document | None:
    """The newest report of ``kind`` for ``period``, if one was issued."""
    return db.session.scalar(select(Document).where(Document.kind == kind, Document.period == period)
                             .order_by(Document.id.desc()).limit(1))


def report_issue(*, kind: str, year: int, quarter: int | None = None, half: int | None = None, actor,
                 reason: str | None = None) -> Document:
    """Issue a numbered report from the period's analysis and commit.

    A period has one report: issuing it again needs a reason and gives a new version under
    the same number with today's figures, so an earlier version never changes silently.
    """
    require(actor, "documents.issue")
    if not 2000 <= int(year) <= 2100:
        raise InvalidField(field="year")
    period = report_period(kind, year, quarter, half)
    context = situation_context(period_analysis(year, quarter=quarter, half=half if kind == "halfyear_review" else None),
                                year=year, quarter=quarter if kind == "quarterly_report" else None, half=half)
    existing = report_latest(kind, period)
    if existing is not None:
        if not (reason or "").strip():
            raise Conflict(N_("A report for this period exists; give a reason to issue a new version."))
        changes = {k: v for k, v in context.items() if k not in ("organ", "period")}
        changes["issued_on"] = clock.today().isoformat()
        return document_correct(document=existing, context_changes=changes, reason=reason, actor=actor)
    try:
        row = document_issue(kind=kind, year=year, context=context, actor=actor, period=period)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row

