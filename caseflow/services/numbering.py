"""Gap-free yearly counters for document, case and signal numbers.

The counter row is locked by ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (a row lock on
PostgreSQL; SQLite serialises writers) inside the caller's transaction, so a rolled-back
transaction gives its number back and concurrent issuers never share one.
"""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from caseflow.extensions import db
from caseflow.models import DocumentCounter


def next_number(prefix: str, year: int) -> int:
    """Reserve and return the next number for ``prefix`` in ``year`` (no commit).

    One statement: the year's first number inserts the row, every later one increments it
    (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), holding the row lock until commit.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(DocumentCounter).values(prefix=prefix, year=year, last=1)
    value = db.session.scalar(
        stmt.on_conflict_do_update(index_elements=[DocumentCounter.prefix, DocumentCounter.year],
                                   set_={"last": DocumentCounter.last + 1})
        .returning(DocumentCounter.last)
    )
    return int(value)


def case_number(year: int, n: int) -> str:
    """A case number such as ``YJ2026-0042`` (预警)."""
    return f"YJ{year}-{n:04d}"


def signal_number(year: int, n: int) -> str:
    """A signal number such as ``LX2026-00042`` (廉信)."""
    return f"LX{year}-{n:05d}"


def document_number(prefix: str, year: int, n: int) -> str:
    """An official document number: ``镇纪预告〔2026〕12号``."""
    return f"{prefix}〔{year}〕{n}号"
