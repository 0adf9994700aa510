"""``caseflow demo [--scale district|province] [--seed N] [--if-empty]``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from caseflow.demo.district import DEMO_PASSWORD, DEMO_USERS, build_district, database_is_empty


@click.command("demo")
@click.option("--scale", type=click.Choice(["district", "province"]), default="district", show_default=True,
              help="province: the performance dataset (10,000 units, 300,000 signals, 100,000 cases).")
@click.option("--seed", type=int, default=2008, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has units.")
@with_appcontext
def demo(scale: str, seed: int, if_empty: bool) -> None:
    """Load the demo dataset into an empty database and print the demo logins."""
    if not database_is_empty():
        if if_empty:
            click.echo("database already has data; demo not loaded")
            _print_logins([(role, username, DEMO_PASSWORD) for username, role, _ in DEMO_USERS],
                          "demo logins, unless changed since")
            return
        raise click.ClickException("the database is not empty; demo data goes only into an empty database")
    if scale == "province":
        _province(seed)
        return
    result = build_district(seed, progress=lambda step: click.echo(f"  … {step}"))
    click.echo(f"demo district: {result.units} units, {result.stations} stations, {result.signals} signals")
    for line in result.lines:
        click.echo(line)
    _print_logins(result.logins, "demo logins")


def _province(seed: int) -> None:
    """Build the province dataset, with a progress bar on stderr."""
    from caseflow.demo.province import ProgressBar, build_province

    bar = ProgressBar()
    try:
        result = build_province(seed, progress=bar)
    finally:
        bar.close()
    click.echo("province: " + ", ".join(f"{n:,} {table}" for table, n in result.counts.items()))
    click.echo("seconds: " + ", ".join(f"{step} {s}" for step, s in result.seconds.items()))
    for line in result.lines:
        click.echo(line)
    _print_logins(result.logins, "demo logins")


def _print_logins(logins: list[tuple[str, str, str]], title: str) -> None:
    click.echo(f"{title} (role, username, password) — open http://127.0.0.1:5000/login")
    for role, username, password in logins:
        click.echo(f"  {role:<12} {username:<12} {password}")


COMMANDS = [demo]
