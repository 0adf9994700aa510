"""Backup and restore round-trip every table and every stored file."""
from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Signal, Unit
from caseflow.services.backup import backup_write
from tests import factories
from tests.conftest import reset_schema


def _snapshot() -> dict:
    tables = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        tables[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*order))]
    return tables


def _files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_backup_restore_round_trip(app, runner, tmp_path):
    result = runner.invoke(args=["demo", "--seed", "7"])
    assert result.exit_code == 0, result.output
    factories.user("officer", email="x@example.org")
    root = Path(app.config["DATA_DIR"])
    (root / "attachments" / "ab").mkdir(parents=True, exist_ok=True)
    (root / "attachments" / "ab" / "abcdef").write_bytes(b"evidence \x00\x01 bytes")
    before, files_before = _snapshot(), _files(root)
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output

    # A fresh database and an empty data directory.
    db.session.remove()
    reset_schema()
    db.create_all()
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _snapshot() == before
    assert _files(root) == files_before
    # New rows get fresh ids after a restore (sequences were reset on PostgreSQL).
    unit = factories.unit()
    assert unit.id > max(u.id for u in db.session.scalars(select(Unit).where(Unit.id != unit.id)))
    assert db.session.query(Signal).count() == len(before["signal"])


def test_restore_refuses_a_non_empty_database_and_garbage(runner, tmp_path):
    factories.unit()
    archive = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code != 0 and "empty database" in result.output
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    result = runner.invoke(args=["restore", str(garbage)])
    assert result.exit_code != 0 and "Not a caseflow backup" in result.output


def test_backup_writes_a_manifest_with_hashes(db, tmp_path):
    factories.unit()
    manifest = backup_write(tmp_path / "m.tar.gz")
    assert manifest["tables"]["unit"]["rows"] == 1
    assert len(manifest["tables"]["unit"]["sha256"]) == 64
