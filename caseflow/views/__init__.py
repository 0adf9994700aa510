"""Blueprint registration: every module of this package with a ``bp`` is a web blueprint."""
from __future__ import annotations

from flask import Flask

from caseflow.registry import modules_with


def register(app: Flask) -> None:
    """Register every blueprint of the web UI and the API."""
    from caseflow.views import api, nav

    nav.init_app(app)
    for module in modules_with("caseflow.views", "bp"):
        app.register_blueprint(module.bp)
    api.register(app)
