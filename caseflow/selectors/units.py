"""Unit lists and unit details, scoped to what the user may see."""
from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.models import PeriodResult, Station, Unit
from caseflow.models.units import station_area
from caseflow.permissions import UNIT_SCOPED, require_unit, unit_scope
from caseflow.selectors.common import Page, current_quarter, paginate

# Above this many choices a page offers a search field (code or name, resolved on the server)
# instead of a <select>: a province has 10,000 units and 880 stations, a district about 200 units.
SELECT_MAX = 100
# Built once: a fresh alias per call re-derives every column adaptation (a large share of a list's CPU time).
_RESULT = aliased(PeriodResult)
_PARENT = aliased(Unit)


def units_page(user, *, kind: str | None = None, q: str | None = None, town_id: int | None = None,
               colour: str | None = None, page: int = 1, per_page: int = 50, with_town: bool = True) -> Page:
    """Units with their current-quarter colour (None until scored), filtered and paginated; each unit's
    parent (its town) comes in the same query unless ``with_town`` is false (a list that shows no town)."""
    year, quarter = current_quarter()
    result = _RESULT
    on_result = and_(result.unit_id == Unit.id, result.year == year, result.quarter == quarter)
    where = []
    if getattr(user, "role", None) in UNIT_SCOPED:
        where.append(Unit.id == unit_scope(user))  # no unit: IS NULL, nothing
    if kind:
        where.append(Unit.kind == kind)
    if town_id:
        where.append(or_(Unit.id == town_id, Unit.parent_id == town_id))
    if colour:
        where.append(result.colour == colour)
    if q:
        like = f"%{q.strip()}%"
        where.append(or_(Unit.name.like(like), Unit.code.like(like)))
    stmt = select(Unit, result.colour, result.index).outerjoin(result, on_result)
    if with_town:
        stmt = stmt.outerjoin(_PARENT, _PARENT.id == Unit.parent_id).options(contains_eager(Unit.parent.of_type(_PARENT)))
    stmt = stmt.where(*where).order_by(Unit.code)
    # The count needs the results only to filter by colour (at most one result per unit and quarter).
    count = select(func.count(Unit.id)).where(*where)
    if colour:
        count = count.outerjoin(result, on_result)
    return paginate(stmt, page, per_page, scalars=False, count=count)


def unit_get(user, unit_id: int) -> Unit:
    """One unit the user may see (its town loaded with it), or NotFound / Forbidden."""
    unit = db.session.scalar(select(Unit).options(joinedload(Unit.parent)).where(Unit.id == unit_id))
    if unit is None:
        raise NotFound()
    require_unit(user, unit.id)
    return unit


def towns() -> list:
    """All towns and streets, for filters (rows of id, code, name, by code)."""
    return db.session.execute(select(Unit.id, Unit.code, Unit.name).where(Unit.kind == "town").order_by(Unit.code)).all()


def stations_watching(unit_id: int) -> list[Station]:
    """The monitoring stations whose area includes the unit (through the area table's unit index, not an
    EXISTS tried on every station)."""
    return list(db.session.scalars(select(Station).options(lazyload(Station.area))
                                   .join(station_area, station_area.c.station_id == Station.id)
                                   .where(station_area.c.unit_id == unit_id).order_by(Station.code)))


def current_result(unit_id: int) -> PeriodResult | None:
    """The unit's result for the current quarter, if scored."""
    year, quarter = current_quarter()
    return db.session.scalar(
        select(PeriodResult).where(PeriodResult.unit_id == unit_id, PeriodResult.year == year,
                                   PeriodResult.quarter == quarter)
    )


def _active_units(user):
    stmt = select(Unit.id, Unit.code, Unit.name).where(Unit.active.is_(True))
    scope = unit_scope(user)
    return stmt.where(Unit.id == scope) if scope else stmt


def unit_options(user, limit: int | None = None) -> list | None:
    """The active units ``user`` may choose (rows of id, code, name, by code), or None when there
    are more than ``limit`` (default SELECT_MAX) — then the page shows a unit search field. One query either way."""
    limit = SELECT_MAX if limit is None else limit
    rows = db.session.execute(_active_units(user).order_by(Unit.code).limit(limit + 1)).all()
    return None if len(rows) > limit else rows


def unit_lookup(user, text: str | None) -> Unit | None:
    """The active unit within ``user``'s scope whose code is ``text`` — or, failing that, the only
    one with exactly that name; None when there is no such unit or the name is ambiguous."""
    text = (text or "").strip()
    if not text:
        return None
    scope = unit_scope(user)
    stmt = select(Unit).where(Unit.active.is_(True), or_(Unit.code == text, Unit.name == text))
    rows = db.session.scalars((stmt.where(Unit.id == scope) if scope else stmt)
                              .order_by(case((Unit.code == text, 0), else_=1), Unit.code).limit(2)).all()
    if rows and rows[0].code == text:
        return rows[0]
    return rows[0] if len(rows) == 1 else None


def unit_search(text: str):
    """The ids of the units whose name contains ``text`` or whose code is ``text`` (a subquery for filters)."""
    return select(Unit.id).where(or_(Unit.name.contains(text, autoescape=True), Unit.code == text))
