"""Input lists: one page of a kind's records with their units, filtered."""
from __future__ import annotations

from sqlalchemy import or_, select

from caseflow.models import Unit
from caseflow.selectors.common import Page, paginate
from caseflow.services.input_kinds import InputKind


def inputs_page(kind: InputKind, *, q: str | None = None, year: int | None = None, quarter: int | None = None,
                unit_id: int | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Records of ``kind`` (newest first) with their unit, filtered by unit name/code, year and quarter."""
    model = kind.model
    stmt = select(model, Unit).join(Unit, Unit.id == model.unit_id).order_by(model.id.desc())
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Unit.name.like(like), Unit.code.like(like)))
    if year:
        stmt = stmt.where(model.year == year)
    if quarter and not kind.per_year:
        stmt = stmt.where(model.quarter == quarter)
    if unit_id:
        stmt = stmt.where(model.unit_id == unit_id)
    return paginate(stmt, page, per_page, scalars=False)
