"""Navigation per role: a registry of menu entries, each guarded by a capability."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from caseflow.i18n import translate
from caseflow.models import ROLES
from caseflow.permissions import can, role_can


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


def role_entries(role: str | None) -> tuple[NavEntry, ...]:
    """The entries of the app's endpoints that ``role`` may use: they depend on the role alone (capabilities
    are a fixed table, endpoints are fixed once the app serves), so each role's list is worked out once."""
    cache = current_app.extensions.setdefault("caseflow_nav", {})
    entries = cache.get(role)
    if entries is None:
        entries = cache[role] = tuple(
            entry for entry in all_entries()
            if entry.endpoint in current_app.view_functions
            and (not entry.capability or role_can(role, entry.capability))
            and (entry.roles is None or role in entry.roles))
    return entries


def nav_items() -> list[dict]:
    """The menu entries the current user may use."""
    endpoint = request.endpoint
    return [{"url": url_for(entry.endpoint), "label": translate(entry.label), "active": endpoint == entry.endpoint}
            for entry in role_entries(getattr(current_user, "role", None))]


def init_app(app: Flask) -> None:
    """Expose ``nav_items`` and the role names to templates."""

    @app.context_processor
    def _nav() -> dict:
        return {"nav_items": nav_items, "roles": ROLES, "can": lambda cap: can(current_user, cap)}
