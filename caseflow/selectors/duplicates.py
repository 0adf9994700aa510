"""Duplicate suggestions for triage: the same unit and category within 90 days, or similar text.

Similarity compares summaries with the unit's name removed (every summary of a unit starts
with it) by the larger of difflib's ratio and the Dice coefficient of character bigrams,
which suits Chinese text without a word segmenter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Case, Signal
from caseflow.services.signals import CLOSED_CASE_STATES

WINDOW_DAYS = 90
SIMILAR = 0.5
MAX_CANDIDATES = 300
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _clean(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        if name:
            text = text.replace(name, "")
    return _PUNCT.sub("", text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str, names: tuple[str, ...] = ()) -> float:
    """0–1: how alike two short texts are, ignoring the unit names given."""
    a, b = _clean(a, names), _clean(b, names)
    if not a or not b:
        return 0.0
    ga, gb = _bigrams(a), _bigrams(b)
    dice = 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0
    return max(dice, SequenceMatcher(None, a, b).ratio())


@dataclass
class Suggestion:
    """A candidate duplicate with why it is suggested."""

    item: object
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Duplicates:
    signals: list[Suggestion]
    cases: list[Suggestion]


def _names(signal: Signal) -> tuple[str, ...]:
    return tuple(n for n in (signal.unit.name if signal.unit else None, signal.unit_name_given) if n)


def duplicate_suggestions(signal: Signal, *, limit: int = 8) -> Duplicates:
    """Signals and open cases that may concern the same problem as ``signal``."""
    since = signal.received_at - timedelta(days=WINDOW_DAYS)
    until = signal.received_at + timedelta(days=WINDOW_DAYS)
    stmt = select(Signal).where(Signal.id != signal.id, Signal.received_at.between(since, until))
    if signal.unit_id is not None:
        stmt = stmt.where(Signal.unit_id == signal.unit_id)
    candidates = db.session.scalars(stmt.order_by(Signal.received_at.desc()).limit(MAX_CANDIDATES))
    names = _names(signal)
    found: list[Suggestion] = []
    for other in candidates:
        reasons = []
        if signal.unit_id is not None and other.category == signal.category:
            reasons.append("same_category")
        score = similarity(signal.summary, other.summary, names + _names(other))
        if score >= SIMILAR:
            reasons.append("similar_text")
        if reasons:
            found.append(Suggestion(other, score + (0.5 if "same_category" in reasons else 0), reasons))
    found.sort(key=lambda s: -s.score)
    return Duplicates(signals=found[:limit], cases=_cases(signal, found, names)[:limit])


def _cases(signal: Signal, similar: list[Suggestion], names: tuple[str, ...]) -> list[Suggestion]:
    """Open cases of the signal's unit (or, unit unknown, of its similar signals), best first."""
    stmt = select(Case).where(Case.state.not_in(CLOSED_CASE_STATES))
    if signal.unit_id is not None:
        stmt = stmt.where(Case.unit_id == signal.unit_id)
    else:
        ids = {s.item.case_id for s in similar if s.item.case_id}
        if not ids:
            return []
        stmt = stmt.where(Case.id.in_(ids))
    linked = {s.item.case_id for s in similar if s.item.case_id}
    out = []
    for case in db.session.scalars(stmt.order_by(Case.opened_at.desc()).limit(50)):
        reasons = []
        if case.category == signal.category:
            reasons.append("same_category")
        score = similarity(signal.summary, case.title, names + (case.unit.name,))
        if score >= SIMILAR:
            reasons.append("similar_text")
        if case.id in linked:
            reasons.append("similar_signal")
        out.append(Suggestion(case, score + 0.5 * len(reasons), reasons))
    out.sort(key=lambda s: -s.score)
    return out
