"""``caseflow sweep [--now ISO]``: escalate overdue cases and send deadline reminders."""
from __future__ import annotations

import contextlib

import click
from flask.cli import with_appcontext

from caseflow import clock
from caseflow.services.sweep import sweep_run


@click.command("sweep")
@click.option("--now", "now", default=None, help="Run as of this ISO date-time (CST when no zone is given).")
@with_appcontext
def sweep(now: str | None) -> None:
    """Escalate overdue acknowledgements and rectifications; remind before deadlines."""
    try:
        at = clock.parse_instant(now) if now else None
    except ValueError:
        raise click.BadParameter("expected an ISO date or date-time", param_hint="--now") from None
    with clock.frozen(at) if at else contextlib.nullcontext():
        report = sweep_run()
    for line in report.lines():
        click.echo(line)
    if report.failed:
        raise SystemExit(2)


COMMANDS = [sweep]
