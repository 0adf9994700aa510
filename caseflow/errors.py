"""Domain exceptions: one class per kind of failure a user can cause.

Messages are English msgids (marked with ``N_`` so Babel extracts them) with
``%(name)s`` parameters; the web and API layers translate them at the boundary,
so this module stays free of Flask.
"""
from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for translation without translating it (Babel keyword)."""
    return message


class CaseflowError(Exception):
    """Base of every error a user can cause; carries an HTTP status and a code."""

    status: int = 400
    code: str = "bad_request"
    default_message: str = N_("The request could not be processed.")

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: Any) -> None:
        self.message = message or self.default_message
        self.field = field
        self.params = params
        if field is not None:
            self.params.setdefault("field", field)
        super().__init__(self.render())

    def render(self, translate=lambda s: s) -> str:
        """Return the message translated by ``translate`` with its parameters filled in."""
        text = translate(self.message)
        try:
            return text % self.params if self.params else text
        except (KeyError, TypeError, ValueError):
            return text


class BadRequest(CaseflowError):
    status, code = 400, "bad_request"
    default_message = N_("The request is malformed.")


class Unauthorized(CaseflowError):
    status, code = 401, "unauthorized"
    default_message = N_("Authentication is required.")


class Forbidden(CaseflowError):
    status, code = 403, "forbidden"
    default_message = N_("You are not allowed to do this.")


class NotFound(CaseflowError):
    status, code = 404, "not_found"
    default_message = N_("Not found.")


class Conflict(CaseflowError):
    status, code = 409, "conflict"
    default_message = N_("The request conflicts with the current state.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = N_("This action is not allowed in the current state.")


class VersionConflict(Conflict):
    code = "version_conflict"
    default_message = N_("Someone else changed this record in the meantime; reload and try again.")


class InvalidField(CaseflowError):
    status, code = 422, "invalid_field"
    default_message = N_("The field %(field)s is invalid.")


class TooLarge(CaseflowError):
    status, code = 413, "too_large"
    default_message = N_("The upload is too large.")


class RateLimited(CaseflowError):
    status, code = 429, "rate_limited"
    default_message = N_("Too many requests; please wait and try again.")
