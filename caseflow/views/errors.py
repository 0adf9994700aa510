"""Error handlers: domain and HTTP errors as bilingual HTML pages or JSON error objects."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from caseflow.errors import N_, CaseflowError, VersionConflict
from caseflow.extensions import db

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: ("bad_request", N_("The request is malformed.")),
    401: ("unauthorized", N_("Authentication is required.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    409: ("conflict", N_("The request conflicts with the current state.")),
    413: ("too_large", N_("The upload is too large.")),
    415: ("unsupported_media_type", N_("This content type is not supported.")),
    422: ("invalid_field", N_("A field is invalid.")),
    429: ("rate_limited", N_("Too many requests; please wait and try again.")),
    500: ("internal_error", N_("Something went wrong on our side; nothing was changed.")),
}


def wants_json() -> bool:
    """API paths and JSON clients get JSON errors; browsers get pages."""
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, field: str | None = None):
    """Render one error as JSON or as an HTML page."""
    if wants_json():
        body: dict = {"code": code, "message": message}
        if field:
            body["field"] = field
        return jsonify(error=body), status
    return render_template("errors/error.html", status=status, code=code, message=message), status


def _domain(error: CaseflowError):
    db.session.rollback()
    return error_response(error.status, error.code, error.render(_), error.field)


def _stale(error: StaleDataError):
    db.session.rollback()
    return _domain(VersionConflict())


def _csrf(error: CSRFError):
    return error_response(400, "csrf_failed", _("The form has expired or was not sent from this site; reload the page and try again."))


def _http(error: HTTPException):
    status = error.code or 500
    code, message = HTTP_MESSAGES.get(status, ("error", error.name))
    field = None
    data = getattr(error, "data", None)
    if status == 422 and isinstance(data, dict) and data.get("messages"):
        field, message = _first_field(data["messages"])
        return error_response(422, "invalid_field", _("The field %(field)s is invalid: %(detail)s", field=field, detail=message), field)
    if status == 400 and isinstance(data, dict) and data.get("messages"):
        field, detail = _first_field(data["messages"])
        if field == "body":
            return error_response(400, "bad_request", _("The request body is not valid JSON."))
        return error_response(422, "invalid_field", _("The field %(field)s is invalid: %(detail)s", field=field, detail=detail), field)
    if status == 429:
        db.session.rollback()
    return error_response(status, code, _(message), field)


def _first_field(messages) -> tuple[str, str]:
    """Find the first field name and message in webargs' nested error dict."""
    node = messages
    path: list[str] = []
    while isinstance(node, dict) and node:
        key = sorted(node, key=str)[0]
        if key not in ("json", "query", "form", "files", "view_args", "headers"):
            path.append(str(key))
        node = node[key]
    if isinstance(node, list):
        node = node[0] if node else ""
    return (".".join(path) or "body"), str(node)


def _overflow(error: Exception):
    """Input the database cannot hold — a number too large for it (an id or filter of 20 digits),
    a NUL byte in text on PostgreSQL (``DataError``) — is bad input, not a 500."""
    db.session.rollback()
    code, message = HTTP_MESSAGES[422]
    return error_response(422, code, _(message))


def _internal(error: Exception):
    db.session.rollback()
    log.exception("unhandled error")
    code, message = HTTP_MESSAGES[500]
    return error_response(500, code, _(message))


def register(app: Flask) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(CaseflowError, _domain)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(OverflowError, _overflow)
    app.register_error_handler(DataError, _overflow)
    app.register_error_handler(Exception, _internal)
