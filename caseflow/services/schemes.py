"""Yearly scoring schemes: one row per (year, version); the default is SPEC §5 (``DEFAULT_SCHEME``).

A year's scheme is created on first use from the previous year's latest version (or the
default). An administrator may change it while the year is still a draft; each change is
a new version, and the year's ledger is rebuilt with it so results name the version used.
"""
from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from caseflow import clock
from caseflow.errors import N_, Conflict
from caseflow.extensions import db
from caseflow.models import ScoringScheme, YearStatus
from caseflow.scoring import DEFAULT_SCHEME, scheme_from_json, validate_scheme


def scheme_latest(year: int) -> ScoringScheme | None:
    """The newest version of ``year``'s scheme, or None."""
    return db.session.scalar(select(ScoringScheme).where(ScoringScheme.year == year)
                             .order_by(ScoringScheme.version.desc()).limit(1))


def scheme_for_year(year: int) -> ScoringScheme:
    """The year's current scheme, created (not committed) on first use from the year before or the default."""
    scheme = scheme_latest(year)
    if scheme is not None:
        return scheme
    previous = db.session.scalar(select(ScoringScheme).where(ScoringScheme.year < year)
                                 .order_by(ScoringScheme.year.desc(), ScoringScheme.version.desc()).limit(1))
    data = copy.deepcopy(previous.data if previous is not None else DEFAULT_SCHEME)
    data["version"] = 1
    scheme = ScoringScheme(year=year, version=1, data=data, created_at=clock.now(),
                           note="default (SPEC §5)" if previous is None else f"carried over from {previous.year}")
    db.session.add(scheme)
    db.session.flush()
    return scheme


def scheme_ensure(year: int) -> ScoringScheme:
    """The year's current scheme, stored (committed) if this is its first use."""
    existing = scheme_latest(year)
    if existing is not None:
        return existing
    scheme = scheme_for_year(year)
    db.session.commit()
    return scheme


def year_status_of(year: int) -> str:
    """The grading status of a year: draft, computed, approved or published."""
    row = db.session.get(YearStatus, year)
    return row.status if row is not None else "draft"


def scheme_save(*, year: int, data: Any, actor, note: str | None = None) -> ScoringScheme:
    """Store a new version of the year's scheme (draft years only) and rebuild the year's ledger."""
    from caseflow.services.ledger import recompute_in_session

    if year_status_of(year) != "draft":
        raise Conflict(N_("The scheme of %(year)s can only change while the year is a draft."), year=year)
    current = scheme_for_year(year)
    clean = validate_scheme(data)
    clean["version"] = current.version + 1
    scheme = ScoringScheme(year=year, version=current.version + 1, data=clean, note=(note or "")[:500] or None,
                           created_at=clock.now(), created_by_id=getattr(actor, "id", None))
    db.session.add(scheme)
    db.session.flush()
    recompute_in_session(year)
    db.session.commit()
    return scheme


def scheme_import(*, year: int, text: str | bytes, actor, note: str | None = None) -> ScoringScheme:
    """Validate a JSON scheme file and store it as the year's new version."""
    return scheme_save(year=year, data=scheme_from_json(text), actor=actor, note=note or "imported from JSON")


def scheme_label(scheme: ScoringScheme | None) -> str:
    """How results name their scheme in data (API, logs): 'scheme 2026 v 2'."""
    return f"scheme {scheme.year} v {scheme.version}" if scheme is not None else "—"


def scheme_display(scheme: ScoringScheme | None) -> str:
    """How pages name a scheme, in the reader's language: '2026年度评分方案 第2版'."""
    if scheme is None:
        return "—"
    from flask_babel import gettext

    return gettext("scoring scheme %(year)s, version %(version)s", year=scheme.year, version=scheme.version)


def schemes_by_id(ids: set[int]) -> dict[int, ScoringScheme]:
    """Load schemes by id (for labelling results)."""
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(ScoringScheme).where(ScoringScheme.id.in_(ids)))}
