"""Units under supervision and the monitoring stations that watch them."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.errors import N_
from caseflow.extensions import db

UNIT_KINDS = {
    "town": N_("Town / street"),
    "village": N_("Village"),
    "community": N_("Community"),
    "agency": N_("Agency"),
    "station": N_("Grassroots station"),
    "enterprise": N_("State enterprise"),
}

station_area = Table(
    "station_area",
    db.metadata,
    Column("station_id", ForeignKey("station.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Unit(db.Model):
    """A unit under supervision: a town, village, community, agency, station or enterprise."""

    # Units of a kind in code order: the towns of the unit list's and the board's filters.
    __table_args__ = (Index("ix_unit_kind_code", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    peer_group: Mapped[str] = mapped_column(String(32), index=True)
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    principal_leader: Mapped[str | None] = mapped_column(String(60))
    leaders: Mapped[str | None] = mapped_column(String(400))
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], lazy="joined", innerjoin=False)

    @property
    def town(self) -> Unit | None:
        """The town/street this unit belongs to (itself when it is one)."""
        return self if self.kind == "town" else self.parent

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"


class Station(db.Model):
    """A monitoring station (廉情监测站点) with its monitors and the units it watches."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)

    area: Mapped[list[Unit]] = relationship(secondary=station_area, lazy="selectin", order_by=Unit.code)
    host_unit: Mapped[Unit | None] = relationship()
