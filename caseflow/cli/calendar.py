"""``caseflow calendar load FILE`` and ``caseflow calendar show YEAR``."""
from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import with_appcontext

from caseflow.errors import CaseflowError
from caseflow.services.calendar import calendar_load, get_calendar


@click.group("calendar")
def calendar_group() -> None:
    """The working-day calendar."""


@calendar_group.command("load")
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@with_appcontext
def load(path) -> None:
    """Load an official year table: lines of YYYY-MM-DD,holiday|workday[,name]."""
    try:
        years = calendar_load(path.read())
    except CaseflowError as error:
        raise click.ClickException(error.render()) from None
    click.echo("loaded " + ", ".join(map(str, years)))


@calendar_group.command("show")
@click.argument("year", type=int)
@with_appcontext
def show(year: int) -> None:
    """Print the non-working weekdays and working weekend days of a year."""
    calendar = get_calendar()
    if not calendar.covers(year):
        click.echo(f"warning: no official table for {year}; Monday–Friday is used")
    day = date(year, 1, 1)
    while day.year == year:
        workday = calendar.is_workday(day)
        if workday != (day.weekday() < 5):
            click.echo(f"{day.isoformat()} {'workday' if workday else 'holiday'}")
        day += timedelta(days=1)


COMMANDS = [calendar_group]
