"""Unit lists and unit details, scoped to what the user may see."""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.models import PeriodResult, Station, Unit
from caseflow.permissions import UNIT_SCOPED, require_unit, unit_scope
from caseflow.selectors.common import Page, current_quarter, paginate


def units_page(user, *, kind: str | None = None, q: str | None = None, town_id: int | None = None,
               colour: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Units with their current-quarter colour (None until scored), filtered and paginated."""
    year, quarter = current_quarter()
    result = aliased(PeriodResult)
    stmt = (
        select(Unit, result.colour, result.index)
        .outerjoin(result, and_(result.unit_id == Unit.id, result.year == year, result.quarter == quarter))
        .order_by(Unit.code)
    )
    if getattr(user, "role", None) in UNIT_SCOPED:
        stmt = stmt.where(Unit.id == unit_scope(user))  # no unit: IS NULL, nothing
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if town_id:
        stmt = stmt.where(or_(Unit.id == town_id, Unit.parent_id == town_id))
    if colour:
        stmt = stmt.where(result.colour == colour)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Unit.name.like(like), Unit.code.like(like)))
    return paginate(stmt, page, per_page, scalars=False)


def unit_get(user, unit_id: int) -> Unit:
    """One unit the user may see, or NotFound / Forbidden."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound()
    require_unit(user, unit.id)
    return unit


def towns() -> list[Unit]:
    """All towns and streets, for filters."""
    return list(db.session.scalars(select(Unit).where(Unit.kind == "town").order_by(Unit.code)))


def stations_watching(unit_id: int) -> list[Station]:
    """The monitoring stations whose area includes the unit."""
    return list(db.session.scalars(select(Station).where(Station.area.any(Unit.id == unit_id)).order_by(Station.code)))


def current_result(unit_id: int) -> PeriodResult | None:
    """The unit's result for the current quarter, if scored."""
    year, quarter = current_quarter()
    return db.session.scalar(
        select(PeriodResult).where(PeriodResult.unit_id == unit_id, PeriodResult.year == year,
                                   PeriodResult.quarter == quarter)
    )
