"""``caseflow score --year Y [--quarter Q] [--check]``: rebuild a period's ledger from the source records."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from caseflow.services.ledger import recompute


@click.command("score")
@click.option("--year", type=int, required=True)
@click.option("--quarter", type=click.IntRange(1, 4))
@click.option("--check", is_flag=True, help="Compare only; write nothing.")
@with_appcontext
def score(year: int, quarter: int | None, check: bool) -> None:
    """Recompute a year (or one quarter) and report whether the stored ledger was reproduced exactly."""
    report = recompute(year, quarter, write=False if check else None)
    quarters = ",".join(str(q) for q in report.quarters) or "none (not begun)"
    click.echo(f"{year} quarters {quarters}: {report.units} units, {report.computed} entries computed, "
               f"{report.stored} stored, {report.seconds:.2f} s")
    if report.reproduced:
        click.echo("stored ledger reproduced exactly")
    else:
        click.echo("stored ledger NOT reproduced; differences (first ones):")
        for line in report.differences[:20]:
            click.echo(f"  {line}")
    click.echo("ledger rewritten from the source records" if report.written
               else "nothing written (published year or --check)")
    if not report.reproduced and not report.written:
        raise SystemExit(1)


COMMANDS = [score]
