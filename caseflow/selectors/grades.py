"""Annual grades for pages and the API, scoped to what the user may see."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import PeriodResult, Unit, User, YearStatus
from caseflow.permissions import can, unit_scope
from caseflow.selectors.common import Page, paginate


def status_of(year: int) -> YearStatus:
    """The year's status row, or a transient draft."""
    return db.session.get(YearStatus, year) or YearStatus(year=year, status="draft")


def may_see_grades(user, status: str) -> bool:
    """Grades are visible once published (to readers of scores); before that only to the commission."""
    if status == "published":
        return can(user, "scores.read")
    return status in ("computed", "approved") and can(user, "grades.preview")


def _stmt(user, year: int):
    stmt = (select(PeriodResult, Unit).join(Unit, Unit.id == PeriodResult.unit_id)
            .where(PeriodResult.year == year, PeriodResult.quarter == 0))
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(PeriodResult.unit_id == scope)
    return stmt


def grades_items(user, year: int) -> list[tuple[PeriodResult, Unit]]:
    """Every visible unit's annual result (API list), by unit code."""
    if not may_see_grades(user, status_of(year).status):
        return []
    return list(db.session.execute(_stmt(user, year).order_by(Unit.code)))


def grades_page(user, year: int, *, grade: str | None = None, colour: str | None = None, q: str | None = None,
                page: int = 1, per_page: int = 50) -> Page | None:
    """One page of the year's annual results (None when the user may not see them yet)."""
    if not may_see_grades(user, status_of(year).status):
        return None
    stmt = _stmt(user, year)
    if grade:
        stmt = stmt.where(PeriodResult.grade == grade)
    if colour:
        stmt = stmt.where(PeriodResult.colour == colour)
    if q:
        stmt = stmt.where(Unit.name.like(f"%{q.strip()}%") | Unit.code.like(f"%{q.strip()}%"))
    return paginate(stmt.order_by(PeriodResult.index.desc(), Unit.code), page, per_page, scalars=False)


def grade_counts(user, year: int) -> dict[str, Counter]:
    """How many units got each grade, and each quarter's colour counts (for the summary)."""
    out: dict[str, Counter] = {"grade": Counter()}
    if not may_see_grades(user, status_of(year).status) or unit_scope(user) is not None:
        return out
    for grade, n in db.session.execute(select(PeriodResult.grade, func.count()).where(
            PeriodResult.year == year, PeriodResult.quarter == 0).group_by(PeriodResult.grade)):
        out["grade"][grade] = n
    for quarter, colour, n in db.session.execute(
            select(PeriodResult.quarter, PeriodResult.colour, func.count())
            .where(PeriodResult.year == year, PeriodResult.quarter.between(1, 4))
            .group_by(PeriodResult.quarter, PeriodResult.colour)):
        out.setdefault(f"Q{quarter}", Counter())[colour] = n
    return out


def user_names(ids) -> dict[int, str]:
    """Display names of users by id."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
