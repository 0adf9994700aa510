"""Pagination shared by every list."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from caseflow import clock
from caseflow.extensions import db


@dataclass
class Page:
    """One page of a list with the numbers a pager needs."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = True, count: Select | None = None) -> Page:
    """Run ``stmt`` for one page plus one COUNT query (``count``, when given, is an equivalent
    cheaper statement returning the number of rows of ``stmt``)."""
    page = max(1, page)
    per_page = max(1, min(per_page, 200))
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count) or 0
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, total=total, page=page, per_page=per_page)


def current_quarter() -> tuple[int, int]:
    """The (year, quarter) of today in China Standard Time."""
    today = clock.today()
    return today.year, (today.month - 1) // 3 + 1
