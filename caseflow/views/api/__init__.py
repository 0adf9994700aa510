"""The JSON API under /api/v1, documented by flask-smorest at /api/v1/openapi.json."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi

from caseflow.extensions import csrf
from caseflow.views.api.common import ApiError


class Api(SmorestApi):
    """flask-smorest's Api without its app-wide error handler: caseflow has its own."""

    ERROR_SCHEMA = ApiError

    def _register_error_handlers(self) -> None:
        """Errors are rendered by ``caseflow.views.errors`` in the pinned shape."""


api = Api(spec_kwargs={
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"bearer": []}],
})


def register(app: Flask) -> None:
    """Register every API blueprint; the API uses bearer tokens, never cookies, so no CSRF."""
    from caseflow.views.api import tokens, units

    api.init_app(app)
    for module in (tokens, units):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
