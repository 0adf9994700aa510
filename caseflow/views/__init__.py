"""Blueprint registration: every module of this package with a ``bp`` is a web blueprint."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from caseflow.registry import modules_with


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` limited to the database's integer range: a larger id is a 404, not a 500
    (SQLite and PostgreSQL both fail on integers beyond 64/32 bits)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    """Register every blueprint of the web UI and the API."""
    from caseflow.views import api, nav

    app.url_map.converters["int"] = BoundedIntConverter
    nav.init_app(app)
    for module in modules_with("caseflow.views", "bp"):
        app.register_blueprint(module.bp)
    api.register(app)
