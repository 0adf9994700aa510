"""Award eligibility from a published year: who may be nominated for what, and why not.

Awards: ``excellent_team`` (党风廉政建设责任制优秀班子, a unit's leadership team; grade A only)
and ``commendation`` (that year's 评先评优 for persons). Publication records the facts as
``EligibilityRecord`` rows; the question "may X be nominated for award A in year Y" reads them.
"""
from __future__ import annotations

import re

from sqlalchemy import delete, select

from caseflow import clock
from caseflow.errors import N_, InvalidField
from caseflow.extensions import db
from caseflow.models import EligibilityRecord, Sanction, YearStatus
from caseflow.scoring.scheme import label

AWARDS = {
    "excellent_team": N_("Excellent leadership team (党风廉政建设责任制优秀班子)"),
    "commendation": N_("Annual awards for persons (评先评优)"),
}


# The reasons are stored as written at publication (in English, like the ledger's details); a Chinese
# reader sees them re-worded (``reason_text``).
_REASONS_ZH = [
    (re.compile(r"^Grade A in (\d{4})$"), lambda m: f"{m[1]}年度等次为A"),
    (re.compile(r"^Grade ([BC]) in (\d{4}): only grade A units qualify$"),
     lambda m: f"{m[2]}年度等次为{m[1]}：仅等次为A的单位具备资格"),
    (re.compile(r"^Principal leader of a grade C unit in (\d{4})$"), lambda m: f"{m[1]}年度等次为C的单位主要负责人"),
    (re.compile(r"^Responsible for an escalated case of a grade C unit in (\d{4})$"),
     lambda m: f"{m[1]}年度等次为C的单位升级处置案件的责任人"),
    (re.compile(r"^Sanctioned \(([a-z_]+)\) in (\d{4})$"), lambda m: f"{m[2]}年受到处分或处理：{label(m[1], 'zh')}"),
    (re.compile(r"^The grades of (\d{4}) are not published yet$"), lambda m: f"{m[1]}年度等次尚未公布"),
    (re.compile(r"^No grade for this unit in (\d{4})$"), lambda m: f"该单位{m[1]}年度无等次"),
]


def reason_text(reason: str, lang: str = "zh") -> str:
    """An eligibility reason in the reader's language (Chinese when it is one this module writes)."""
    if lang.startswith("zh"):
        for pattern, render in _REASONS_ZH:
            if match := pattern.match(reason):
                return render(match)
    return reason


def _record(year: int, award: str, unit_id: int | None, person: str | None, eligible: bool, reason: str,
            case_id: int | None = None) -> EligibilityRecord:
    row = EligibilityRecord(year=year, award=award, unit_id=unit_id, person=(person or None) and person[:60],
                            eligible=eligible, reason=reason[:200], case_id=case_id, created_at=clock.now())
    db.session.add(row)
    return row


def consequences_record(*, year: int, results, units) -> None:
    """Record eligibility for a year being published (no commit): A teams eligible, B/C teams not,
    and the C units' principal leaders, the persons named in their talks and inquiries and every
    sanctioned person barred from the year's awards."""
    from caseflow.services.grading import escalated_case_people

    db.session.execute(delete(EligibilityRecord).where(EligibilityRecord.year == year))
    c_units = [r.unit_id for r in results if r.grade == "C"]
    named = escalated_case_people(year, c_units)
    for r in results:
        unit = units[r.unit_id]
        if r.grade == "A":
            _record(year, "excellent_team", unit.id, None, True, f"Grade A in {year}")
            continue
        _record(year, "excellent_team", unit.id, None, False, f"Grade {r.grade} in {year}: only grade A units qualify")
        if r.grade != "C":
            continue
        if unit.principal_leader:
            _record(year, "commendation", unit.id, unit.principal_leader, False,
                    f"Principal leader of a grade C unit in {year}")
        for person, case_id in named.get(unit.id, []):
            _record(year, "commendation", unit.id, person, False,
                    f"Responsible for an escalated case of a grade C unit in {year}", case_id)
    for sanction in db.session.scalars(select(Sanction).where(Sanction.year == year)):
        _record(year, "commendation", sanction.unit_id, sanction.person, False,
                f"Sanctioned ({sanction.kind}) in {year}", sanction.case_id)


def eligibility(*, year: int, award: str, unit_id: int | None = None, person: str | None = None) -> dict:
    """Answer "may this unit / person be nominated for ``award`` in ``year``" with the reasons why not."""
    if award not in AWARDS:
        raise InvalidField(field="award")
    if unit_id is None and not person:
        raise InvalidField(N_("Name a unit or a person."), field="unit_id")
    status = db.session.get(YearStatus, year)
    answer = {"year": year, "award": award, "unit_id": unit_id, "person": person or None}
    if status is None or status.status != "published":
        return {**answer, "status": "pending", "eligible": None,
                "reasons": [{"reason": f"The grades of {year} are not published yet", "case_id": None}]}
    stmt = select(EligibilityRecord).where(EligibilityRecord.year == year, EligibilityRecord.award == award)
    if person:
        stmt = stmt.where(EligibilityRecord.person == person.strip())
        if unit_id is not None:
            stmt = stmt.where(EligibilityRecord.unit_id == unit_id)
    else:
        stmt = stmt.where(EligibilityRecord.unit_id == unit_id, EligibilityRecord.person.is_(None))
    rows = list(db.session.scalars(stmt.order_by(EligibilityRecord.id)))
    if award == "excellent_team" and not person:
        eligible = bool(rows) and all(r.eligible for r in rows)
        if not rows:
            rows_out = [{"reason": f"No grade for this unit in {year}", "case_id": None}]
            return {**answer, "status": "published", "eligible": False, "reasons": rows_out}
    else:
        eligible = not any(not r.eligible for r in rows)
    return {**answer, "status": "published", "eligible": eligible,
            "reasons": [{"reason": r.reason, "case_id": r.case_id} for r in rows if not r.eligible or eligible]}


def eligibility_records(*, year: int, award: str | None = None, unit_id: int | None = None):
    """The recorded facts of a year (for the eligibility page), as a select statement."""
    stmt = select(EligibilityRecord).where(EligibilityRecord.year == year)
    if award:
        stmt = stmt.where(EligibilityRecord.award == award)
    if unit_id:
        stmt = stmt.where(EligibilityRecord.unit_id == unit_id)
    return stmt.order_by(EligibilityRecord.eligible, EligibilityRecord.unit_id, EligibilityRecord.id)
