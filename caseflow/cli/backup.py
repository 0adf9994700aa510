"""``caseflow backup PATH`` and ``caseflow restore PATH``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from caseflow.errors import CaseflowError
from caseflow.services.backup import backup_restore, backup_write


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path: str) -> None:
    """Write the database and the stored files to a .tar.gz archive (safe while the app runs)."""
    manifest = backup_write(path)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"backup written to {path}: {rows} rows in {len(manifest['tables'])} tables, "
               f"{len(manifest['files'])} files")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(path: str) -> None:
    """Restore an archive into an empty, migrated database (run `caseflow db upgrade` first)."""
    try:
        manifest = backup_restore(path)
    except CaseflowError as error:
        raise click.ClickException(error.render()) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"restored {rows} rows and {len(manifest['files'])} files from {path}")


COMMANDS = [backup, restore]
