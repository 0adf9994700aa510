"""Entering assessment inputs (one by one or a whole spreadsheet); each entry rescores live.

A new control check, survey, finding, sanction or award recomputes its unit from the
quarter it is booked in (later quarters carry it over); a cost record recomputes the year
(every unit's performance is relative to its peer group). Inputs for a published year are
corrections: they need a reason and are recorded as a ``Revision`` (``services/grading.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from caseflow import clock
from caseflow.errors import N_, CaseflowError, Conflict, InvalidField, NotFound
from caseflow.extensions import db
from caseflow.services.input_kinds import KINDS, InputKind, clean_row, units_by_code
from caseflow.services.schemes import year_status_of


class ImportRejected(CaseflowError):
    """A spreadsheet with at least one bad row; nothing was imported."""

    status, code = 422, "invalid_field"
    default_message = N_("The file has errors; nothing was imported.")

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__()
        self.errors = errors  # (row number, field, message)


@dataclass
class ImportResult:
    """What an import added."""

    kind: str
    count: int


def kind_get(key: str) -> InputKind:
    """The input kind named ``key`` or NotFound."""
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound()
    return kind


def _model_values(kind: InputKind, values: dict[str, Any]) -> dict[str, Any]:
    unit = values["unit_code"]
    out = {k: v for k, v in values.items() if k != "unit_code" and v is not None}
    out["unit_id"] = unit.id
    if kind.per_year:
        out.pop("quarter", None)
    out["created_at"] = clock.now()
    return out


def _check_year(kind: InputKind, values: dict[str, Any], revision_reason: str | None) -> None:
    if year_status_of(values["year"]) == "published" and not (revision_reason or "").strip():
        raise Conflict(N_("%(year)s is published: a correction needs a reason and is recorded as a revision."),
                       year=values["year"])
    if kind.per_year:
        clash = db.session.scalar(select(kind.model.id).where(kind.model.unit_id == values["unit_code"].id,
                                                              kind.model.year == values["year"]))
        if clash is not None:
            raise Conflict(N_("This unit already has a cost record for %(year)s."), year=values["year"])


def _rescore(kind: InputKind, touched: set[tuple[int, int, int]], revision_id: int | None = None) -> None:
    """Recompute what the new rows change: the unit from their quarter on, or whole years for costs."""
    from caseflow.services.ledger import recompute_in_session, refresh_unit, scored_quarters

    if kind.per_year or len({u for u, _, _ in touched}) > 30:
        for year in sorted({y for _, y, _ in touched} | ({y + 1 for _, y, _ in touched} if kind.per_year else set())):
            if scored_quarters(year) and (year_status_of(year) != "published" or revision_id):
                recompute_in_session(year, write=True, revision_id=revision_id)
        return
    first: dict[int, tuple[int, int]] = {}
    for unit_id, year, quarter in touched:
        first[unit_id] = min(first.get(unit_id, (year, quarter)), (year, quarter))
    for unit_id, (year, quarter) in first.items():
        if revision_id:
            for qq in [x for x in scored_quarters(year) if x >= quarter]:
                recompute_in_session(year, qq, unit_ids=[unit_id], write=True, revision_id=revision_id)
        else:
            refresh_unit(unit_id, year, quarter)


def input_add(*, kind: str, data: dict[str, Any], actor, revision_reason: str | None = None):
    """Validate and store one input, rescore what it changes, commit; return the new row."""
    spec = kind_get(kind)
    try:
        values = clean_row(spec, data, units_by_code([data.get("unit_code")]))
        _check_year(spec, values, revision_reason)
        row = spec.model(**_model_values(spec, values))
        db.session.add(row)
        db.session.flush()
        revision = before = None
        if year_status_of(values["year"]) == "published":
            from caseflow.services.grading import revision_open

            revision, before = revision_open(year=values["year"], unit_id=row.unit_id, reason=revision_reason,
                                             actor=actor)
        _rescore(spec, {(row.unit_id, values["year"], values.get("quarter") or 1)}, revision.id if revision else None)
        if revision is not None:
            from caseflow.services.grading import revision_close

            revision_close(revision=revision, before=before)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row


def inputs_import(*, kind: str, rows: list[dict[str, Any]], actor) -> ImportResult:
    """Validate every row; import all of them (and rescore) or, if any row is bad, none."""
    spec = kind_get(kind)
    if not rows:
        raise ImportRejected([(0, "file", CaseflowError(N_("The file has no data rows.")))])
    units = units_by_code(r.get("unit_code") for r in rows)
    cleaned, errors, seen = [], [], set()
    for index, raw in enumerate(rows, start=2):  # row 1 is the header
        number = raw.get("__row__", index)
        try:
            values = clean_row(spec, raw, units)
            if year_status_of(values["year"]) == "published":
                raise InvalidField(N_("%(year)s is published; correct it with a revision, not an import."),
                                   field="year", year=values["year"])
            _check_year(spec, values, None)
            if spec.per_year:
                key = (values["unit_code"].id, values["year"])
                if key in seen:
                    raise InvalidField(N_("Two rows for the same unit and year."), field="year")
                seen.add(key)
            cleaned.append(values)
        except CaseflowError as error:
            errors.append((number, error.field or "", error))
    if errors:
        raise ImportRejected(errors)
    try:
        touched = set()
        for values in cleaned:
            db.session.add(spec.model(**_model_values(spec, values)))
            touched.add((values["unit_code"].id, values["year"], values.get("quarter") or 1))
        db.session.flush()
        _rescore(spec, touched)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(kind=kind, count=len(cleaned))
