"""Numbers for the home page."""
from __future__ import annotations

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Signal, Unit


def units_by_kind() -> list[tuple[str, int]]:
    """How many active units of each kind."""
    rows = db.session.execute(
        select(Unit.kind, func.count()).where(Unit.active.is_(True)).group_by(Unit.kind).order_by(Unit.kind)
    )
    return [(kind, count) for kind, count in rows]


def signals_by_channel() -> list[tuple[str, int]]:
    """How many signals came through each channel."""
    rows = db.session.execute(select(Signal.channel, func.count()).group_by(Signal.channel).order_by(func.count().desc()))
    return [(channel, count) for channel, count in rows]


def signals_by_status() -> dict[str, int]:
    """How many signals are in each handling status."""
    rows = db.session.execute(select(Signal.status, func.count()).group_by(Signal.status))
    return {status: count for status, count in rows}
