"""Navigation per role: a registry of menu entries, each guarded by a capability."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.models import ROLES
from caseflow.permissions import can


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str
    capability: str | None
    roles: frozenset[str] | None = None
    order: int = 50


@lru_cache(maxsize=1)
def all_entries() -> tuple[NavEntry, ...]:
    """Every view module's ``NAV`` entries, ordered by each entry's ``order``."""
    from caseflow.registry import modules_with

    entries = [entry for module in modules_with("caseflow.views", "NAV") for entry in module.NAV]
    return tuple(sorted(entries, key=lambda e: e.order))


def nav_items() -> list[dict]:
    """The menu entries the current user may use."""
    items = []
    for entry in all_entries():
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
