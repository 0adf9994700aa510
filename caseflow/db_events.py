"""Engine-level settings: SQLite foreign keys and WAL so the embedded database behaves; PostgreSQL
sessions without JIT compilation."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# PostgreSQL compiles a query to machine code when its estimated cost is high (``jit``), which pays off for
# queries running for seconds. Ours run for milliseconds up to a few hundred (a province's board, a slice of
# a recompute), where the compilation itself costs 15–25 ms a query: a province year's recompute spent
# about 1–2 CPU-s compiling. Set per session, so a server shared with other applications keeps its default.
PG_SESSION = "SET jit = off"


def _pg_session(dbapi_connection, connection_record) -> None:
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(PG_SESSION)
        dbapi_connection.commit()  # a SET inside a transaction that rolls back would be undone
    except Exception:  # noqa: BLE001 - a server without the setting (before PostgreSQL 11) keeps its default
        dbapi_connection.rollback()


def install(app: Flask) -> None:
    """Install the connect hook once per process."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _sqlite_pragmas)
        event.listen(Engine, "connect", _pg_session)
        _installed = True
