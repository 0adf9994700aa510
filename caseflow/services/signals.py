"""Signal intake and handling (SPEC §1 steps 1–2, §4): rapid reports, recorded channels,
assignment with a handling deadline, and triage into a case, a link, or a rejection."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, select, update

from caseflow import clock
from caseflow.errors import N_, Conflict, Forbidden, InvalidField
from caseflow.extensions import db
from caseflow.models import CATEGORIES, CHANNELS, SEVERITIES, Case, Signal, Station, Unit, User, station_area
from caseflow.permissions import can, require
from caseflow.services.calendar import get_calendar
from caseflow.services.numbering import next_number, signal_number

# Case states in which a case no longer gathers signals.
CLOSED_CASE_STATES = frozenset({"closed", "dismissed", "referred"})
UNTRIAGED = ("new", "assigned")
TRIAGE_ACTIONS = ("open_case", "link", "reject")
# Channels an officer records by hand; the station report and the public form have their own doors.
RECORDED_CHANNELS = tuple(c for c in CHANNELS if c not in ("monitoring_station", "public_web"))
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def clean_text(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    """Strip a text field and check it is present (when required) and not too long."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidField(N_("The field %(field)s is required."), field=field)
    if len(text) > max_length:
        raise InvalidField(N_("The field %(field)s is longer than %(max)s characters."), field=field, max=max_length)
    return text


def _call_time(value: str) -> str:
    try:
        when = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError as error:
        raise InvalidField(N_("The field %(field)s needs a date and time."), field="call_time") from error
    if when.replace(tzinfo=clock.CST) > clock.now():
        raise InvalidField(N_("The field %(field)s cannot be in the future."), field="call_time")
    return when.strftime("%Y-%m-%d %H:%M")


def _post_url(value: str) -> str:
    if not URL_RE.match(value):
        raise InvalidField(N_("The field %(field)s needs a web address (http:// or https://)."), field="post_url")
    return value


# Registry: how each source-detail key of ``CHANNELS`` is checked and normalised (max length, cleaner).
SOURCE_FIELDS: dict[str, tuple[int, Any]] = {
    "call_time": (20, _call_time),
    "letter_number": (40, None),
    "visit_record": (2000, None),
    "post_url": (500, _post_url),
    "audit_reference": (80, None),
    "source_note": (400, None),
}


def source_details_clean(channel: str, raw: dict | None) -> dict[str, str]:
    """The channel's source details, each required and checked; other keys are dropped."""
    raw = raw or {}
    cleaned = {}
    for key in CHANNELS[channel][1]:
        max_length, cleaner = SOURCE_FIELDS[key]
        value = clean_text(str(raw.get(key) or ""), key, max_length)
        cleaned[key] = cleaner(value) if cleaner else value
    return cleaned


def _category(category: str | None) -> str:
    if category not in CATEGORIES:
        raise InvalidField(N_("Unknown category."), field="category")
    return category


def _discovered(discovered_on: date | None, *, required: bool) -> date | None:
    if discovered_on is None:
        if required:
            raise InvalidField(N_("The field %(field)s is required."), field="discovered_on")
        return None
    if discovered_on > clock.today():
        raise InvalidField(N_("The field %(field)s cannot be in the future."), field="discovered_on")
    return discovered_on


def handling_due_for(received_at: datetime) -> date:
    """The handling deadline (承办时限): HANDLING_WORKDAYS working days after the day of receipt."""
    days = current_app.config["HANDLING_WORKDAYS"]
    return get_calendar().add_workdays(clock.local(received_at).date(), days)


def rapid_report_late(discovered_on: date, received_at: datetime) -> bool:
    """Late when received after the end (CST) of the RAPID_REPORT_WORKDAYS-th working day after discovery."""
    due = get_calendar().add_workdays(discovered_on, current_app.config["RAPID_REPORT_WORKDAYS"])
    return received_at > clock.end_of_day(due)


def new_signal(*, channel: str, category: str, summary: str, details: str, **fields: Any) -> Signal:
    """A numbered, received-now signal with its handling deadline, added to the session (no commit)."""
    at = fields.pop("received_at", None) or clock.now()
    year = clock.local(at).year
    signal = Signal(number=signal_number(year, next_number("signal", year)), channel=channel,
                    received_at=at, category=category, summary=summary, details=details, status="new",
                    handling_due=handling_due_for(at), source_details=fields.pop("source_details", {}), **fields)
    db.session.add(signal)
    db.session.flush()
    return signal


def uploads_read(files) -> list[tuple[str, bytes]]:
    """Read and check every upload before anything is stored, so one bad file stores nothing (422).

    The content check is the shared one of ``services/attachments.py``; it is run up front here
    because ``attachment_save`` commits per file and a signal's files are all-or-nothing.
    """
    from caseflow.services.attachments import _clean_name, attachment_check

    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
    uploads = []
    for upload in files or []:
        if upload is None or not getattr(upload, "filename", ""):
            continue
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise InvalidField(N_("The file %(name)s is larger than %(limit)s MB."), field="attachments",
                               name=_clean_name(upload.filename), limit=max(1, limit // (1024 * 1024)))
        name, _mime = attachment_check(content, upload.filename, field="attachments")
        uploads.append((name, content))
    return uploads


def _attach(signal: Signal, uploads: list[tuple[str, bytes]], actor) -> None:
    """Store checked uploads on the signal through the shared attachment service."""
    from caseflow.services.attachments import attachment_save

    for name, content in uploads:
        attachment_save(content=content, filename=name, actor=actor, signal=signal)


def in_station_area(station_id: int | None, unit_id: int) -> bool:
    """Whether the unit is watched by the station."""
    if station_id is None:
        return False
    return db.session.scalar(select(station_area.c.unit_id).where(
        station_area.c.station_id == station_id, station_area.c.unit_id == unit_id)) is not None


def signal_file_rapid(*, monitor: User, unit: Unit, category: str, discovered_on: date | None, summary: str,
                      details: str, files=None) -> Signal:
    """A monitor's rapid direct report (快速直报) for a unit of their station's area; flagged late if overdue."""
    require(monitor, "signals.file_rapid")
    if unit is None or not in_station_area(monitor.station_id, unit.id):
        raise Forbidden(N_("This unit is not in your station's area."))
    station = db.session.get(Station, monitor.station_id)
    if station is None or not station.active:
        raise Forbidden(N_("Your station is not active."))
    category = _category(category)
    discovered_on = _discovered(discovered_on, required=True)
    summary, details = clean_text(summary, "summary", 200), clean_text(details, "details", 10000, required=False)
    uploads = uploads_read(files)
    try:
        signal = new_signal(channel="monitoring_station", category=category, summary=summary, details=details,
                            unit_id=unit.id, station_id=station.id, discovered_on=discovered_on,
                            reporter_id=monitor.id)
        signal.late = rapid_report_late(discovered_on, signal.received_at)
        _attach(signal, uploads, monitor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return signal


def signal_record(*, officer: User, channel: str, unit: Unit | None = None, unit_name_given: str | None = None,
                  discovered_on: date | None, category: str, summary: str, details: str,
                  source_details: dict | None, files=None, reporter_contact: str | None = None) -> Signal:
    """An officer records a signal from a complaint channel, with that channel's source details."""
    require(officer, "signals.record")
    if channel not in RECORDED_CHANNELS:
        raise InvalidField(N_("This channel cannot be recorded here."), field="channel")
    cleaned = source_details_clean(channel, source_details)
    category = _category(category)
    discovered_on = _discovered(discovered_on, required=False)
    summary, details = clean_text(summary, "summary", 200), clean_text(details, "details", 10000, required=False)
    name_given = clean_text(unit_name_given, "unit_name_given", 120, required=False) or None
    contact = clean_text(reporter_contact, "reporter_contact", 400, required=False) or None
    uploads = uploads_read(files)
    if unit is None and name_given:
        unit = db.session.scalar(select(Unit).where(Unit.name == name_given, Unit.active.is_(True)))
    try:
        signal = new_signal(channel=channel, category=category, summary=summary, details=details,
                            unit_id=unit.id if unit else None, unit_name_given=name_given,
                            discovered_on=discovered_on, source_details=cleaned, reporter_contact=contact)
        _attach(signal, uploads, officer)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return signal


def signal_assign(*, signal: Signal, officer: User, department: str, handler: User) -> Signal:
    """Give an untriaged signal a handling department and officer; it keeps its handling deadline."""
    require(officer, "signals.triage")
    if signal.status not in UNTRIAGED:
        raise Conflict(N_("This signal has already been handled."))
    if handler is None or not handler.active or not can(handler, "signals.triage"):
        raise InvalidField(N_("The handling officer must be an active officer or supervisor."), field="handler_id")
    signal.department = clean_text(department, "department", 80)
    signal.officer_id = handler.id
    signal.status = "assigned"
    if signal.handling_due is None:
        signal.handling_due = handling_due_for(signal.received_at)
    db.session.commit()
    return signal


def _claim(signal: Signal, status: str) -> None:
    """Move an untriaged signal to ``status`` with a guarded UPDATE, so two triages cannot both win."""
    claimed = db.session.execute(
        update(Signal).where(Signal.id == signal.id, Signal.status.in_(UNTRIAGED)).values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict(N_("This signal has already been triaged."))
    signal.status = status


def open_case_for(unit_id: int | None) -> list[Case]:
    """The unit's cases that still gather signals."""
    if unit_id is None:
        return []
    return list(db.session.scalars(select(Case).where(Case.unit_id == unit_id,
                                                      Case.state.not_in(CLOSED_CASE_STATES))
                                   .order_by(Case.opened_at.desc())))


def _link_target(signal: Signal, case_id: Any) -> Case:
    try:
        case = db.session.get(Case, int(case_id))
    except (TypeError, ValueError):
        case = None
    if case is None:
        raise InvalidField(N_("The field %(field)s names no case."), field="case_id")
    if case.state in CLOSED_CASE_STATES:
        raise InvalidField(N_("Only an open case can gather signals."), field="case_id")
    if signal.unit_id is not None and case.unit_id != signal.unit_id:
        raise InvalidField(N_("The case concerns another unit."), field="case_id")
    return case


def _join_case_open(signal: Signal):
    """Set ``signal.case_id`` to the case that ``case_open`` creates, inside ``case_open``'s own
    transaction, so the case and the signal's link commit together or not at all."""
    session = db.session()
    created: list[Case] = []

    def before_flush(sess, _context, _instances):
        created.extend(o for o in sess.new if isinstance(o, Case))

    def after_flush(sess, _context):
        if created and signal.case_id is None and created[0].id is not None:
            signal.case_id = created[0].id

    event.listen(session, "before_flush", before_flush)
    event.listen(session, "after_flush_postexec", after_flush)

    def remove() -> None:
        event.remove(session, "before_flush", before_flush)
        event.remove(session, "after_flush_postexec", after_flush)

    return remove


def signal_triage(*, signal: Signal, actor: User, action: str, case_id: Any = None, reason: str | None = None,
                  title: str | None = None, unit: Unit | None = None, category: str | None = None,
                  severity: str | None = None) -> Signal:
    """Handle a signal (阅办): open a case from it, link it to an open case of its unit, or reject it."""
    require(actor, "signals.triage")
    if action not in TRIAGE_ACTIONS:
        raise InvalidField(N_("Unknown action."), field="action")
    if signal.status not in UNTRIAGED:
        raise Conflict(N_("This signal has already been triaged."))
    try:
        if action == "open_case":
            return _triage_open(signal, actor, title, unit, category, severity)
        if action == "link":
            case = _link_target(signal, case_id)
            _claim(signal, "linked")
            signal.case_id, signal.unit_id = case.id, case.unit_id
        else:
            signal.outcome_reason = clean_text(reason, "reason", 2000)
            _claim(signal, "rejected")
        _stamp(signal, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return signal


def _stamp(signal: Signal, actor: User) -> None:
    signal.triaged_at, signal.triaged_by_id = clock.now(), actor.id
    if signal.officer_id is None:
        signal.officer_id = actor.id


def _triage_open(signal: Signal, actor: User, title: str | None, unit: Unit | None, category: str | None,
                 severity: str | None) -> Signal:
    from caseflow.services.cases import case_open

    unit = unit or signal.unit
    if unit is None:
        raise InvalidField(N_("The field %(field)s is required."), field="unit_id")
    if severity is not None and severity not in SEVERITIES:
        raise InvalidField(N_("Unknown severity."), field="severity")
    title = clean_text(title, "title", 200)
    category = _category(category or signal.category)
    _claim(signal, "case_opened")
    signal.unit_id = unit.id
    _stamp(signal, actor)
    remove = _join_case_open(signal)
    try:
        case = case_open(unit=unit, title=title, category=category, severity=severity, origin="signal",
                         actor=actor, note=signal.number)
    finally:
        remove()
    if signal.case_id != case.id:  # defensive: the link must be in the case's transaction
        raise Conflict(N_("The case could not be linked to the signal."))
    return signal
