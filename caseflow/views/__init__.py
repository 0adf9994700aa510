"""Blueprint registration."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint of the web UI and the API."""
    from caseflow.views import admin, api, auth, main, nav, units

    nav.init_app(app)

    for module in (auth, main, units, admin):
        app.register_blueprint(module.bp)
    api.register(app)
