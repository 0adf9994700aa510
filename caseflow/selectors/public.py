"""The public grade board (外部公开): published years only, and only unit names with their grades."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from caseflow.extensions import db
from caseflow.models import PeriodResult, Unit, YearStatus
from caseflow.selectors.common import Page

PUBLISHED = "published"
_TOWN = aliased(Unit)  # built once, not per request


def published_years() -> list[int]:
    """Years whose grades have been published, newest first."""
    return list(db.session.scalars(
        select(YearStatus.year).where(YearStatus.status == PUBLISHED).order_by(YearStatus.year.desc())))


def published_grades(year: int, *, q: str | None = None, kind: str | None = None, page: int = 1,
                     per_page: int = 200) -> Page:
    """(unit name, kind, town name, grade) rows of a published year; empty for any other year."""
    town = _TOWN
    published = select(YearStatus.year).where(YearStatus.year == year, YearStatus.status == PUBLISHED)
    stmt = (select(Unit.name, Unit.kind, town.name.label("town"), PeriodResult.grade)
            .join(PeriodResult, and_(PeriodResult.unit_id == Unit.id, PeriodResult.year == year,
                                     PeriodResult.quarter == 0))
            .outerjoin(town, town.id == Unit.parent_id)
            .where(PeriodResult.year.in_(published), PeriodResult.grade.is_not(None))
            .order_by(Unit.code))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Unit.name.like(like), town.name.like(like)))
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def grade_counts(year: int) -> dict[str, int]:
    """How many units got each grade in a published year."""
    published = select(YearStatus.year).where(YearStatus.year == year, YearStatus.status == PUBLISHED)
    rows = db.session.execute(
        select(PeriodResult.grade, func.count())
        .where(PeriodResult.year == year, PeriodResult.quarter == 0, PeriodResult.grade.is_not(None),
               PeriodResult.year.in_(published))
        .group_by(PeriodResult.grade))
    return {grade: n for grade, n in rows}
