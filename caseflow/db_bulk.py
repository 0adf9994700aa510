"""Bulk inserts of many rows in the session's transaction, for the write paths that produce thousands:
PostgreSQL (psycopg) through one COPY, SQLite through one driver ``executemany`` of prepared values; and
``driver_rows``/``plain_rows`` for the bulk reads; ``cycles_uncollected`` for the bulk jobs (recompute,
sweep) that build and drop many objects."""
from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from caseflow.extensions import db


def binds_for(table, columns: tuple[str, ...], dialect) -> list | None:
    """The bind processors of ``columns`` by position, or None when the driver takes rows as a Core
    executemany does (not PostgreSQL's COPY through psycopg, not SQLite's qmark ``executemany``)."""
    if not (dialect.name == "postgresql" and dialect.driver == "psycopg") and dialect.paramstyle != "qmark":
        return None
    return [(i, bind) for i, c in enumerate(columns)
            if (bind := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]


def bulk_insert(table, columns: tuple[str, ...], values: Iterable[tuple], *, bound: bool = False,
                constants: dict[str, int | None] | None = None) -> None:
    """Insert many rows (tuples in ``columns`` order) in the session's transaction: PostgreSQL (psycopg)
    through COPY, SQLite through one driver ``executemany`` (each value bound as its column type binds it,
    e.g. ``Numeric`` as a float on SQLite, unless ``bound``: already done), other drivers through a Core
    executemany. ``constants``: integer (or NULL) columns with the same value in every row, which SQLite
    takes as literals instead of binding them row by row."""
    conn = db.session.connection()
    dialect = conn.dialect
    constants = constants or {}
    if any(v is not None and type(v) is not int for v in constants.values()):
        raise TypeError("bulk_insert constants are integers or None")
    binds = binds_for(table, columns, dialect)
    if binds is None:
        rows = [{**dict(zip(columns, v, strict=True)), **constants} for v in values]
        if rows:
            conn.execute(table.insert(), rows)
        return
    if binds and not bound:
        values = (bind_row(v, binds) for v in values)
    target = _target(dialect, table, (*columns, *constants))
    if dialect.name == "postgresql":
        extra = tuple(constants.values())
        with _copy(conn, target) as stream:
            for value in values:
                stream.write_row(value + extra if extra else value)
        return
    values = values if isinstance(values, list) else list(values)
    literals = ["NULL" if v is None else str(v) for v in constants.values()]
    if values:
        conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join(['?'] * len(columns) + literals)})", values)


def bind_row(value: tuple, binds: list) -> tuple:
    """``value`` with each of ``binds`` (``binds_for``) applied to its position."""
    value = list(value)
    for i, bind in binds:
        value[i] = bind(value[i])
    return tuple(value)


def driver_rows(stmt) -> list[tuple]:
    """``stmt``'s rows as the driver returns them (no result processing), e.g. to compare with values bound
    for the same driver."""
    return _fetched(stmt)[1]


def plain_rows(stmt) -> list[tuple]:
    """The rows of a select of table columns, as a Core result gives them (each column's type converts the
    driver's value, e.g. SQLite's numerics to ``Decimal`` and its dates to ``date``), converting each
    distinct value of a column once, not once per row: for the bulk reads of many rows with few distinct
    numbers. Equal values share one converted object: for columns of immutable values, not JSON."""
    description, rows = _fetched(stmt)
    dialect = db.session.get_bind().dialect
    convert = [(i, process, {}) for i, (column, described) in enumerate(zip(stmt.selected_columns, description,
                                                                              strict=True))
               if (process := column.type.dialect_impl(dialect).result_processor(dialect, described[1]))
               is not None]
    if not convert or not rows:
        return rows

    def converted(row: tuple) -> tuple:
        row = list(row)
        for i, process, seen in convert:
            value = row[i]
            try:
                row[i] = seen[value]
            except KeyError:
                row[i] = seen[value] = process(value)
        return tuple(row)
    return [converted(row) for row in rows]


def _fetched(stmt) -> tuple[tuple, list[tuple]]:
    """``stmt``'s cursor description and rows as the driver returns them."""
    result = db.session.connection().execute(stmt)
    try:
        return result.cursor.description, result.cursor.fetchall()
    finally:
        result.close()


# PostgreSQL's COPY text format: a backslash, tab, newline or carriage return in a value is escaped;
# NULL is ``\N``. https://www.postgresql.org/docs/current/sql-copy.html (File Formats, Text Format)
COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]").search


def copy_escapes_needed(texts: Iterable[str | None]) -> bool:
    """Whether any of the text values (None: NULL) has a character COPY text format escapes."""
    return _COPY_SPECIAL("".join(filter(None, texts))) is not None


def copy_str(value: str) -> str:
    """A text value in COPY text format (escaped only when it holds a character to escape: most do not)."""
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL(value) else value


def copy_insert(table, columns: tuple[str, ...], data: bytes) -> None:
    """Insert rows given in COPY text format (``copy_str``, ``COPY_NULL``) in the session's transaction
    (PostgreSQL): rows formatted where they were made (a worker process), so that the process holding the
    transaction only sends bytes."""
    conn = db.session.connection()
    with _copy(conn, _target(conn.dialect, table, columns)) as stream:
        stream.write(data)


def _target(dialect, table, columns: tuple[str, ...]) -> str:
    """``table (column, …)`` quoted for ``dialect``."""
    quote = dialect.identifier_preparer
    return f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"


@contextmanager
def _copy(conn, target: str) -> Iterator:
    """A ``COPY target FROM STDIN`` stream on the session connection's psycopg connection."""
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as stream:
        yield stream


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """No cyclic garbage collection while a bulk job runs (restored after, as it was). Such a job builds and
    drops hundreds of thousands of tuples and rows, freed by reference counting, which the collector would
    only traverse again and again: about a fifth of a recompute slice's CPU, more in a forked worker, where a
    full collection also walks (and so copies) every object inherited from the parent. What cyclic garbage
    the job leaves is collected once it ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
