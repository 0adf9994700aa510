"""Backups: every table and every stored file in one archive, restorable into a fresh database.

The tables are read inside one read transaction (REPEATABLE READ on PostgreSQL, a single
read transaction on SQLite), so a backup taken while the app runs is consistent. Files are
content-addressed (named by their SHA-256), so copying them after the snapshot is safe:
a file is never changed once written. The archive is a .tar.gz holding ``manifest.json``
(table row counts, file hashes), one ``tables/<name>.jsonl`` per table and ``files/…``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import Date, DateTime, Integer, Numeric, func, insert, select, text
from sqlalchemy.types import LargeBinary

from caseflow import clock
from caseflow.errors import N_, Conflict, InvalidField
from caseflow.extensions import db

FORMAT = "caseflow-backup/1"


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decode(column, value):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Numeric):
        return Decimal(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


def _add_bytes(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(clock.now().timestamp())
    tar.addfile(info, io.BytesIO(payload))


def _data_files() -> list[Path]:
    root = Path(current_app.config["DATA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def backup_write(path: str | Path) -> dict:
    """Write a consistent archive of the database and the data directory; return the manifest."""
    tables = db.metadata.sorted_tables
    manifest: dict = {"format": FORMAT, "created_at": clock.now().isoformat(), "tables": {}, "files": {}}
    root = Path(current_app.config["DATA_DIR"])
    with db.engine.connect() as conn, tarfile.open(path, "w:gz") as tar:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        else:
            conn.execute(text("BEGIN"))  # one read transaction: a stable snapshot in WAL mode
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            lines = []
            for row in conn.execute(select(table).order_by(*order)):
                lines.append(json.dumps({k: _encode(v) for k, v in row._mapping.items()}, ensure_ascii=False,
                                        sort_keys=True))
            payload = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
            _add_bytes(tar, f"tables/{table.name}.jsonl", payload)
            manifest["tables"][table.name] = {"rows": len(lines), "sha256": hashlib.sha256(payload).hexdigest()}
        conn.rollback()
        for file in _data_files():
            relative = file.relative_to(root).as_posix()
            content = file.read_bytes()
            _add_bytes(tar, f"files/{relative}", content)
            manifest["files"][relative] = hashlib.sha256(content).hexdigest()
        _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def _read_archive(path: str | Path) -> tuple[dict, dict[str, bytes]]:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar.getmembers():
                if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise InvalidField(N_("The archive contains an unsafe path."), field="path")
                members[member.name] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise InvalidField(N_("Not a caseflow backup: %(error)s"), field="path", error=str(error)) from None
    manifest = json.loads(members.get("manifest.json", b"{}") or b"{}")
    if manifest.get("format") != FORMAT:
        raise InvalidField(N_("Not a caseflow backup."), field="path")
    return manifest, members


def backup_restore(path: str | Path) -> dict:
    """Restore an archive into an empty, migrated database and the data directory."""
    manifest, members = _read_archive(path)
    for name, info in manifest["tables"].items():
        payload = members.get(f"tables/{name}.jsonl", b"")
        if hashlib.sha256(payload).hexdigest() != info["sha256"]:
            raise InvalidField(N_("The archive is damaged (table %(name)s)."), field="path", name=name)
    for relative, digest in manifest["files"].items():
        if hashlib.sha256(members.get(f"files/{relative}", b"")).hexdigest() != digest:
            raise InvalidField(N_("The archive is damaged (file %(name)s)."), field="path", name=relative)
    tables = db.metadata.sorted_tables
    for table in tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            raise Conflict(N_("Restore needs an empty database; table %(name)s has rows."), name=table.name)
    for table in tables:
        payload = members.get(f"tables/{table.name}.jsonl", b"").decode("utf-8")
        rows = [json.loads(line) for line in payload.splitlines() if line.strip()]
        columns = {c.name: c for c in table.columns}
        decoded = [{k: _decode(columns[k], v) for k, v in row.items() if k in columns} for row in rows]
        for start in range(0, len(decoded), 1000):
            db.session.execute(insert(table), decoded[start:start + 1000])
    if db.session.get_bind().dialect.name == "postgresql":
        for table in tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                    f"COALESCE((SELECT MAX(\"{pk[0].name}\") FROM \"{table.name}\"), 0) + 1, false)"))
    root = Path(current_app.config["DATA_DIR"])
    for relative in manifest["files"]:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(members[f"files/{relative}"])
    db.session.commit()
    return manifest
