"""The ``caseflow`` console script: a Flask CLI group with caseflow's command groups."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app(*_args) -> Flask:
    from caseflow import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """caseflow — integrity early-warning case management."""


def register(app: Flask) -> None:
    """Attach the commands of every module of this package that lists ``COMMANDS``."""
    from caseflow.registry import modules_with

    for module in modules_with("caseflow.cli", "COMMANDS"):
        for command in module.COMMANDS:
            app.cli.add_command(command)
