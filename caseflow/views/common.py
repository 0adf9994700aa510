"""Helpers shared by the web views: capability checks and list arguments."""
from __future__ import annotations

from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseflow.permissions import require


def capability_required(capability: str):
    """Require login and a capability (403 page otherwise)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            require(current_user, capability)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def int_arg(name: str, default: int | None = None, *, lo: int = 1, hi: int = 10**9) -> int | None:
    """An integer query argument, clamped; garbage gives the default rather than an error."""
    raw = request.args.get(name, "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(lo, min(hi, value))


def str_arg(name: str, allowed=None, *, max_length: int = 100) -> str | None:
    """A string query argument limited to ``allowed`` values when given."""
    value = (request.args.get(name) or "").strip()[:max_length]
    if not value or (allowed is not None and value not in allowed):
        return None
    return value


def form_errors_flash(form) -> list[str]:
    """Collect a form's errors as 'Label: message' lines."""
    lines = []
    for name, errors in form.errors.items():
        field = getattr(form, name, None)
        label = field.label.text if field is not None else name
        lines.extend(f"{label}: {message}" for message in errors)
    return lines or [_("Please check the form.")]
