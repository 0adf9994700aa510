"""The three-colour board: units grouped by town or kind, one page of groups at a time.

Two queries per page whatever the number of units: one for the groups with their colour
counts, one for the page's tiles with the selected and the previous quarter's colour.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from caseflow.extensions import db
from caseflow.models import PeriodResult, Unit

COLOURS = ("green", "orange", "red")
COLOUR_RANK = {"red": 0, "orange": 1, "green": 2}
# Units of these kinds are grouped by kind, the others under their town.
KIND_GROUPS = {"agency": -1, "enterprise": -2}
NO_TOWN = 0
GROUPS_PER_PAGE = 10
TILES_PER_PAGE = 300
# Aliases built once (a fresh alias per call re-derives its column adaptations on every request).
_RESULT, _BEFORE, _TOWN = aliased(PeriodResult), aliased(PeriodResult), aliased(Unit)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    """The quarter before (year, quarter)."""
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def change_mark(colour: str | None, before: str | None) -> str | None:
    """'up' when the colour improved since the previous quarter, 'down' when it worsened."""
    if colour is None or before is None or colour == before:
        return None
    return "up" if COLOUR_RANK[colour] > COLOUR_RANK[before] else "down"


def group_key():
    """SQL expression: the board group of a unit (town id, or a negative code for a kind group)."""
    # Literal columns, not bound parameters: PostgreSQL must see the same expression in GROUP BY.
    return case(
        (Unit.kind == literal_column("'agency'"), literal_column(str(KIND_GROUPS["agency"]))),
        (Unit.kind == literal_column("'enterprise'"), literal_column(str(KIND_GROUPS["enterprise"]))),
        (Unit.kind == literal_column("'town'"), Unit.id),
        else_=func.coalesce(Unit.parent_id, literal_column(str(NO_TOWN))),
    )


@dataclass
class Tile:
    """One unit on the board."""

    id: int
    code: str
    name: str
    kind: str
    index: float | None
    colour: str | None
    previous: str | None

    @property
    def change(self) -> str | None:
        return change_mark(self.colour, self.previous)


@dataclass
class Group:
    """A town (with its villages, communities and stations) or a kind of unit."""

    key: int
    name: str
    total: int
    counts: dict[str, int]
    offset: int = 0
    limit: int = 0
    tiles: list[Tile] = field(default_factory=list)

    @property
    def kind_group(self) -> str | None:
        return next((k for k, v in KIND_GROUPS.items() if v == self.key), None)


@dataclass
class Board:
    """One page of the board with the totals over every filtered group."""

    year: int
    quarter: int
    previous: tuple[int, int]
    groups: list[Group]
    counts: dict[str, int]
    total: int
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _filtered(stmt, result, *, town_id, kind, colour, q, unit_ids=None):
    stmt = stmt.where(Unit.active.is_(True))
    if town_id:
        stmt = stmt.where(or_(Unit.id == town_id, and_(Unit.parent_id == town_id, Unit.kind.notin_(KIND_GROUPS))))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    if colour == "none":
        stmt = stmt.where(result.id.is_(None))
    elif colour:
        stmt = stmt.where(result.colour == colour)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Unit.name.like(like), Unit.code.like(like)))
    if unit_ids is not None:
        stmt = stmt.where(Unit.id.in_(unit_ids))
    return stmt


def _paginate_groups(groups: list[Group], *, max_groups: int, max_tiles: int) -> list[list[Group]]:
    """Cut the groups into pages of at most ``max_groups`` groups and ``max_tiles`` tiles;
    a group larger than a page is split into several segments."""
    pages: list[list[Group]] = [[]]
    used = 0
    for group in groups:
        offset = 0
        while offset < group.total or (group.total == 0 and offset == 0):
            if len(pages[-1]) >= max_groups or used >= max_tiles:
                pages.append([])
                used = 0
            take = min(group.total - offset, max_tiles - used)
            pages[-1].append(Group(group.key, group.name, group.total, group.counts, offset=offset, limit=take))
            used += take
            offset += take
            if group.total == 0:
                break
    return pages


def board_page(*, year: int, quarter: int, town_id: int | None = None, kind: str | None = None,
               colour: str | None = None, q: str | None = None, page: int = 1,
               groups_per_page: int = GROUPS_PER_PAGE, tiles_per_page: int = TILES_PER_PAGE,
               unit_names: dict[int, str] | None = None) -> Board:
    """One page of the board for (year, quarter) with the given filters."""
    prev = previous_quarter(year, quarter)
    result = _RESULT
    on_result = and_(result.unit_id == Unit.id, result.year == year, result.quarter == quarter)
    key = group_key().label("gkey")
    filters = {"town_id": town_id, "kind": kind, "colour": colour, "q": q}

    # Query 1: every filtered group with its colour counts and its name (towns by code first).
    counts_stmt = _filtered(
        select(key, func.count().label("n"),
               *[func.sum(case((result.colour == c, 1), else_=0)).label(c) for c in COLOURS])
        .select_from(Unit).outerjoin(result, on_result), result, **filters,
    ).group_by(key).subquery()
    town = _TOWN
    rows = db.session.execute(
        select(counts_stmt, town.name, town.code)
        .outerjoin(town, town.id == counts_stmt.c.gkey)
        .order_by(case((counts_stmt.c.gkey > 0, 0), (counts_stmt.c.gkey == NO_TOWN, 2), else_=1),
                  town.code, counts_stmt.c.gkey.desc())
    ).all()
    groups = []
    totals = dict.fromkeys((*COLOURS, "none"), 0)
    for row in rows:
        counts = {c: int(getattr(row, c) or 0) for c in COLOURS}
        counts["none"] = row.n - sum(counts.values())
        for c, n in counts.items():
            totals[c] += n
        name = row.name if row.gkey > 0 else (unit_names or {}).get(row.gkey, "")
        groups.append(Group(key=row.gkey, name=name or "", total=row.n, counts=counts))

    pages = _paginate_groups(groups, max_groups=groups_per_page, max_tiles=tiles_per_page)
    page = max(1, min(page, len(pages)))
    shown = [g for g in pages[page - 1] if g.total]

    # Query 2: the page's tiles, numbered within their group, with both quarters' colours.
    if shown:
        before = _BEFORE
        rn = func.row_number().over(partition_by=key, order_by=(Unit.kind != "town", Unit.code)).label("rn")
        inner = _filtered(
            select(Unit.id, Unit.code, Unit.name, Unit.kind, key, rn, result.index, result.colour,
                   before.colour.label("before"))
            .select_from(Unit).outerjoin(result, on_result)
            .outerjoin(before, and_(before.unit_id == Unit.id, before.year == prev[0], before.quarter == prev[1])),
            result, **filters,
        ).where(key.in_([g.key for g in shown])).subquery()  # number only the page's groups
        wanted = or_(*[and_(inner.c.gkey == g.key, inner.c.rn > g.offset, inner.c.rn <= g.offset + g.limit)
                       for g in shown])
        by_group: dict[int, list[Tile]] = {g.key: [] for g in shown}
        for row in db.session.execute(select(inner).where(wanted).order_by(inner.c.gkey, inner.c.rn)):
            by_group[row.gkey].append(Tile(row.id, row.code, row.name, row.kind,
                                           float(row.index) if row.index is not None else None,
                                           row.colour, row.before))
        for g in shown:
            g.tiles = by_group.get(g.key, [])
    return Board(year=year, quarter=quarter, previous=prev, groups=shown, counts=totals,
                 total=sum(g.total for g in groups), page=page, pages=len(pages))


def board_quarters(year: int, quarter: int) -> list[tuple[int, int]]:
    """Quarters that have results, newest first, always including (year, quarter)."""
    rows = db.session.execute(
        select(PeriodResult.year, PeriodResult.quarter).where(PeriodResult.quarter > 0).distinct()
    ).all()
    quarters = {(y, q) for y, q in rows} | {(year, quarter)}
    return sorted(quarters, reverse=True)
