"""Shared API pieces: bearer authentication, error schema, pagination arguments."""
from __future__ import annotations

from functools import wraps

from flask import Response, g, jsonify, request
from marshmallow import Schema, fields, validate

from caseflow.errors import Unauthorized
from caseflow.services.accounts import user_for_token


class ApiErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String()


class ApiError(Schema):
    error = fields.Nested(ApiErrorBody, required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def api_user():
    """The user of the request's bearer token; raises 401 when missing or invalid."""
    user = getattr(g, "api_user", None)
    if user is not None:
        return user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    user = user_for_token(token.strip())
    if user is None:
        raise Unauthorized("The token is invalid or has expired.")
    g.api_user = user
    return user


def authenticated(view):
    """Require a valid bearer token before the view runs."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        api_user()
        return view(*args, **kwargs)

    return wrapper


def as_dumped(payload: dict) -> Response:
    """The response of a view whose ``payload`` is already its response schema's dump (plain JSON values
    under exactly the schema's fields, which tests check): flask-smorest passes a response through, so
    the schema documents the route without copying every row of a long list field by field."""
    return jsonify(payload)


ERRORS = (400, 401, 403, 404, 409, 422, 429)


def document_errors(blp, *codes: int):
    """Document the error responses a route may give, in the pinned shape."""

    def decorate(view):
        for code in codes or ERRORS:
            view = blp.alt_response(code, schema=ApiError, description="Error")(view)
        return view

    return decorate
