"""The JSON API under /api/v1, documented by flask-smorest at /api/v1/openapi.json.

Every module of this package with a ``blp`` is registered.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from caseflow.extensions import csrf
from caseflow.registry import modules_with
from caseflow.views.api.common import ApiError


class Api(SmorestApi):
    """flask-smorest's Api without its app-wide error handler: caseflow has its own."""

    ERROR_SCHEMA = ApiError

    def _register_error_handlers(self) -> None:
        """Errors are rendered by ``caseflow.views.errors`` in the pinned shape."""


def register(app: Flask) -> None:
    """Register every API blueprint; the API uses bearer tokens, never cookies, so no CSRF."""
    api = Api(spec_kwargs={
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    })
    api.init_app(app)
    for module in modules_with("caseflow.views.api", "blp"):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
    app.extensions["caseflow_api"] = api
