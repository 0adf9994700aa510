"""Small factories for test data; each commits what it makes."""
from __future__ import annotations

import itertools

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import Station, Unit, User
from caseflow.security import hash_password

PASSWORD = "correct-horse-42"
_HASH = None
_seq = itertools.count(1)


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def unit(**kwargs) -> Unit:
    """A unit (a village unless told otherwise)."""
    n = next(_seq)
    values = {"code": f"U{n:05d}", "name": f"测试村{n}", "kind": "village", "peer_group": "village",
              "headcount": 10, "principal_leader": f"负责人{n}", "active": True}
    values.update(kwargs)
    row = Unit(**values)
    db.session.add(row)
    db.session.commit()
    return row


def station(area: list[Unit] | None = None, **kwargs) -> Station:
    """A monitoring station watching ``area``."""
    n = next(_seq)
    row = Station(code=kwargs.pop("code", f"S{n:04d}"), name=kwargs.pop("name", f"监测站{n}"),
                  area=area or [], active=True, **kwargs)
    db.session.add(row)
    db.session.commit()
    return row


def user(role: str = "officer", **kwargs) -> User:
    """A user of ``role``; unit leaders get a unit and monitors a station when none is given."""
    n = next(_seq)
    if role == "unit_leader" and "unit" not in kwargs and "unit_id" not in kwargs:
        kwargs["unit"] = unit()
    if role == "monitor" and "station" not in kwargs and "station_id" not in kwargs:
        kwargs["station"] = station(area=[unit()])
    now = clock.now()
    values = {"username": f"{role}{n}", "display_name": f"{role} {n}", "password_hash": _password_hash(),
              "role": role, "active": True, "created_at": now, "password_changed_at": now}
    values.update(kwargs)
    row = User(**values)
    db.session.add(row)
    db.session.commit()
    return row
