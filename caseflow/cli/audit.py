"""``caseflow audit verify``: walk every case's event hash chain."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from caseflow.services.audit import verify_chain


@click.group("audit")
def audit_group() -> None:
    """Tamper-evidence of the case history."""


@audit_group.command("verify")
@click.option("--case-id", type=int, default=None, help="Check only this case.")
@with_appcontext
def verify(case_id: int | None) -> None:
    """Report the first broken link of each case's event chain; exit 1 when any is broken."""
    problems = verify_chain(case_id)
    if not problems:
        click.echo("audit: every case's event chain verifies")
        return
    for problem in problems:
        click.echo(f"BROKEN {problem}")
    click.echo(f"audit: {len(problems)} case(s) with a broken chain")
    raise SystemExit(1)


COMMANDS = [audit_group]
