"""``caseflow users create NAME --role ROLE [--unit CODE] [--password-stdin]``."""
from __future__ import annotations

import secrets
import sys

import click
from flask.cli import with_appcontext

from caseflow.errors import CaseflowError
from caseflow.models import ROLES
from caseflow.services.accounts import user_create


@click.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--unit", "unit_code", help="Unit code (unit leaders).")
@click.option("--station", "station_code", help="Station code (monitors).")
@click.option("--display-name", help="Name shown in the interface.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(name: str, role: str, unit_code: str | None, station_code: str | None,
           display_name: str | None, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a random password is generated and printed."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = secrets.token_urlsafe(12) + "7a"
    try:
        user = user_create(username=name, role=role, password=password, display_name=display_name,
                           unit_code=unit_code, station_code=station_code)
    except CaseflowError as error:
        raise click.ClickException(error.render()) from None
    click.echo(f"created {user.username} ({user.role})")
    if not password_stdin:
        click.echo(f"password: {password}")


COMMANDS = [users_group]
