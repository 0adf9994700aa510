"""Navigation per role: a registry of menu entries, each guarded by a capability."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.errors import N_
from caseflow.models import ROLES
from caseflow.permissions import can


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str
    capability: str | None
    roles: frozenset[str] | None = None


# Later areas append their entries; an entry shows only when its endpoint exists.
NAV: list[NavEntry] = [
    NavEntry("main.home", N_("Home"), None),
    NavEntry("units.index", N_("Units"), "units.read", frozenset({"admin", "officer", "supervisor", "auditor"})),
    NavEntry("units.mine", N_("My unit"), "units.read", frozenset({"unit_leader"})),
    NavEntry("admin.users", N_("Users"), "users.manage"),
    NavEntry("admin.stations", N_("Stations"), "stations.manage"),
    NavEntry("admin.calendar", N_("Calendar"), "calendar.manage"),
]


def nav_items() -> list[dict]:
    """The menu entries the current user may use."""
    items = []
    for entry in NAV:
        if entry.endpoint not in current_app.view_functions:
            continue
        if entry.capability and not can(current_user, entry.capability):
            continue
        if entry.roles is not None and current_user.role not in entry.roles:
            continue
        items.append({
            "url": url_for(entry.endpoint),
            "label": _(entry.label),
            "active": request.endpoint == entry.endpoint,
        })
    return items


def init_app(app: Flask) -> None:
    """Expose ``nav_items`` and the role names to templates."""

    @app.context_processor
    def _nav() -> dict:
        return {"nav_items": nav_items, "roles": ROLES, "can": lambda cap: can(current_user, cap)}
