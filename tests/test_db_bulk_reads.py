"""The bulk reads of ``db_bulk``: ``plain_rows`` gives what a Core result gives, converting each distinct
value of a column once; ``driver_rows`` gives the driver's values unconverted."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from caseflow.db_bulk import driver_rows, plain_rows
from caseflow.models import inputs as m
from tests import factories
from tests import factories_scoring as fs


def _statements():
    checks, sanctions = m.ControlCheck.__table__.c, m.Sanction.__table__.c
    return [select(checks.id, checks.unit_id, checks.item, checks.weight, checks.result).order_by(checks.id),
            select(sanctions.id, sanctions.conduct_on, sanctions.kind).order_by(sanctions.id)]


def test_plain_rows_are_the_rows_a_core_result_gives(db):
    unit = factories.unit()
    for weight in (1, 2, "0.3333", 1, "2.5000", 2):
        fs.check(unit, 2026, 1, "partial", weight=Decimal(weight))
    fs.sanction(unit, 2026, 1, conduct_on=date(2025, 2, 28))
    fs.sanction(unit, 2026, 1, conduct_on=date(2025, 2, 28))
    fs.sanction(unit, 2026, 2, conduct_on=date(2026, 4, 1))
    for stmt in _statements():
        expected = [tuple(row) for row in db.session.execute(stmt)]
        got = plain_rows(stmt)
        assert got == expected
        # the same types too (``==`` alone would take SQLite's float 1.0 for Decimal("1.0000"))
        assert [tuple(map(type, row)) for row in got] == [tuple(map(type, row)) for row in expected]
        assert [tuple(map(str, row)) for row in got] == [tuple(map(str, row)) for row in expected]


def test_plain_rows_convert_each_distinct_value_once(db):
    unit = factories.unit()
    for _ in range(3):
        fs.check(unit, 2026, 1, weight=Decimal("0.5"))
    fs.sanction(unit, 2026, 1, conduct_on=date(2025, 2, 28))
    fs.sanction(unit, 2026, 1, conduct_on=date(2025, 2, 28))
    checks_stmt, sanctions_stmt = _statements()
    weights = [row[3] for row in plain_rows(checks_stmt)]
    assert weights == [Decimal("0.5000")] * 3
    days = [row[1] for row in plain_rows(sanctions_stmt)]
    assert days == [date(2025, 2, 28)] * 2
    if db.engine.dialect.name == "sqlite":  # converted from the driver's float and text: once per value
        assert all(w is weights[0] for w in weights) and days[0] is days[1]


def test_driver_rows_are_unconverted(db):
    unit = factories.unit()
    fs.check(unit, 2026, 1, weight=Decimal(2))
    stmt = _statements()[0]
    (row,) = driver_rows(stmt)
    if db.engine.dialect.name == "sqlite":  # SQLite stores a whole numeric as an integer
        assert row[3] == 2 and not isinstance(row[3], Decimal)
    else:
        assert row[3] == Decimal(2)
    assert row[:3] == (row[0], unit.id, "财务收支审批与报销")
