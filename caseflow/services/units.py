"""Administration of units and monitoring stations."""
from __future__ import annotations

from sqlalchemy import select

from caseflow.errors import N_, Conflict, InvalidField, NotFound
from caseflow.extensions import db
from caseflow.models import UNIT_KINDS, Station, Unit


def _by_code(model, code: str | None, field: str):
    if not code:
        return None
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        raise InvalidField(N_("Unknown code %(code)s."), field=field, code=code)
    return row


def unit_save(*, unit: Unit | None, code: str, name: str, kind: str, parent_code: str | None = None,
              peer_group: str | None = None, headcount: int | None = None,
              principal_leader: str | None = None, leaders: str | None = None, active: bool = True) -> Unit:
    """Create (``unit`` None) or update a unit."""
    if kind not in UNIT_KINDS:
        raise InvalidField(N_("Unknown unit kind."), field="kind")
    clash = db.session.scalar(select(Unit.id).where(Unit.code == code))
    if clash is not None and (unit is None or clash != unit.id):
        raise Conflict(N_("The code %(code)s is taken."), code=code)
    parent = _by_code(Unit, parent_code, "parent_code")
    if unit is not None and parent is not None and parent.id == unit.id:
        raise InvalidField(N_("A unit cannot be its own parent."), field="parent_code")
    if unit is None:
        unit = Unit(code=code)
        db.session.add(unit)
    unit.code, unit.name, unit.kind = code, name, kind
    unit.parent_id = parent.id if parent else None
    unit.peer_group = peer_group or kind
    unit.headcount = headcount or 0
    unit.principal_leader, unit.leaders, unit.active = principal_leader, leaders, active
    db.session.commit()
    return unit


def station_save(*, station: Station | None, code: str, name: str, host_code: str | None,
                 area_ids: list[int], active: bool = True) -> Station:
    """Create or update a monitoring station and the units it watches."""
    clash = db.session.scalar(select(Station.id).where(Station.code == code))
    if clash is not None and (station is None or clash != station.id):
        raise Conflict(N_("The code %(code)s is taken."), code=code)
    host = _by_code(Unit, host_code, "host_code")
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(area_ids)))) if area_ids else []
    if len(units) != len(set(area_ids)):
        raise InvalidField(N_("Unknown unit in the area."), field="area")
    if station is None:
        station = Station(code=code)
        db.session.add(station)
    station.code, station.name, station.active = code, name, active
    station.host_unit_id = host.id if host else None
    station.area = units
    db.session.commit()
    return station


def get_or_404(model, object_id: int):
    """Load a row by primary key or raise NotFound."""
    row = db.session.get(model, object_id)
    if row is None:
        raise NotFound()
    return row
