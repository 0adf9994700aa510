"""Demo step: last quarter's analysis report and the last half-year's situation review, as issued documents.

Notices and receipts need no demo step: the case transitions of the earlier steps produce
them through the documents hook.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from caseflow import clock
from caseflow.demo.district import DemoContext
from caseflow.extensions import db
from caseflow.models import User

DEMO_STEP = 60


def last_periods(today: date) -> tuple[tuple[int, int], tuple[int, int]]:
    """The last complete quarter and the last complete half-year before ``today``."""
    quarter = (today.month - 1) // 3 + 1
    last_q = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    last_h = (today.year - 1, 2) if today.month <= 6 else (today.year, 1)
    return last_q, last_h


def build(ctx: DemoContext) -> None:
    """Issue the two reports as the officer would, a few days after each period ends."""
    try:
        from caseflow.selectors.analysis import period_analysis  # noqa: F401 - the display area's selector
    except ImportError:
        return
    from caseflow.services.document_reports import report_issue

    officer = db.session.scalar(select(User).where(User.role == "officer").order_by(User.id).limit(1))
    if officer is None:
        return
    today = clock.today()
    (qy, q), (hy, h) = last_periods(today)
    q_day = min(today, date(qy + (q == 4), 1 if q == 4 else 3 * q + 1, 10))
    h_day = min(today, date(hy + (h == 2), 1 if h == 2 else 7, 15))
    with clock.frozen(datetime.combine(q_day, time(9, 30), tzinfo=clock.CST)):
        quarterly = report_issue(kind="quarterly_report", year=qy, quarter=q, actor=officer)
    with clock.frozen(datetime.combine(h_day, time(9, 30), tzinfo=clock.CST)):
        review = report_issue(kind="halfyear_review", year=hy, half=h, actor=officer)
    ctx.result.lines.append(f"documents: {quarterly.title} {quarterly.number}; {review.title} {review.number}")
