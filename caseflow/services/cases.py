"""The case use cases: open a case and fire a transition, each in one transaction."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from caseflow import clock
from caseflow.errors import N_, CaseflowError, InvalidField, VersionConflict
from caseflow.extensions import db
from caseflow.models import Attachment, Case, CaseEvent, DeadlineChange
from caseflow.services.audit import GENESIS, event_hash, jsonable, last_link, last_links
from caseflow.services.deadlines import deadlines_apply
from caseflow.services.hooks import TransitionContext, run_transition_hooks, run_transition_hooks_many
from caseflow.services.numbering import case_number, next_number
from caseflow.states import (
    INITIAL,
    STATES,
    SYSTEM_ROLE,
    check_permission,
    destination,
    fire,
    validate,
)

log = logging.getLogger(__name__)


class TransitionFailed(CaseflowError):
    """An unexpected failure inside a transition; everything was rolled back."""

    status, code = 500, "transition_failed"
    default_message = N_("The action could not be completed; nothing was changed.")


def actor_role(actor: Any | None) -> str:
    """The role a transition is fired as: the user's, or the system's for the sweep."""
    return SYSTEM_ROLE if actor is None else actor.role


def _append_event(case: Case, trigger: str, from_state: str | None, actor: Any | None,
                  data: dict, at: datetime, link: tuple[int, str] | None = None) -> CaseEvent:
    """Add the next event of ``case``'s chain to the session (flushed, so it has an id).

    ``link`` is the last event's ``(seq, hash)`` when the caller knows it (a new case has none);
    otherwise it is read now, after the case's versioned UPDATE has locked the case row.
    """
    event = _next_event(case, trigger, from_state, actor, data, at, link or last_link(case.id) or (0, GENESIS))
    db.session.add(event)
    db.session.flush()
    return event


def _next_event(case: Case, trigger: str, from_state: str | None, actor: Any | None, data: dict, at: datetime,
                link: tuple[int, str]) -> CaseEvent:
    """The event of ``case``'s chain after ``link`` (the last event's ``(seq, hash)``), hashed, not yet added."""
    seq, prev_hash = link
    event = CaseEvent(case_id=case.id, seq=seq + 1, trigger=trigger,
                      from_state=from_state, to_state=case.state, actor_id=getattr(actor, "id", None),
                      actor_role=actor_role(actor), at=at, data=jsonable(data), prev_hash=prev_hash)
    event.hash = event_hash(event)
    return event


def _after_commit(ctx: TransitionContext) -> None:
    """Run the deferred work (mail); a failure is logged, never raised to the caller."""
    for callback in ctx.after_commit:
        try:
            callback()
        except Exception:  # noqa: BLE001 - delivery problems must not undo a committed transition
            log.exception("after-commit callback failed for case %s", ctx.case.id)


def _fail(error: Exception) -> CaseflowError:
    """Roll back and turn ``error`` into the domain error the caller sees."""
    db.session.rollback()
    if isinstance(error, CaseflowError):
        return error
    if isinstance(error, StaleDataError | IntegrityError):
        return VersionConflict()
    log.exception("case transition failed")
    return TransitionFailed()


def case_open(*, unit, title: str, category: str, severity: str | None = None, origin: str = "signal",
              actor=None, annual_year: int | None = None, initial_state: str = INITIAL,
              note: str | None = None) -> Case:
    """Open a case at ``unit`` with a first ``open`` event; ``escalated`` (annual C grade) books the escalation."""
    if initial_state not in (INITIAL, "escalated"):
        raise InvalidField(N_("A case can only be opened as detected or escalated."), field="initial_state")
    if not (title or "").strip():
        raise InvalidField(N_("The field %(field)s is required."), field="title")
    at = clock.now()
    year = clock.local(at).year
    try:
        case = Case(number=case_number(year, next_number("case", year)), unit_id=unit.id, unit=unit,
                    title=title.strip()[:200], category=category, severity=severity, origin=origin,
                    annual_year=annual_year, state=initial_state, reject_count=0, opened_at=at, updated_at=at,
                    handler_id=actor.id if getattr(actor, "role", None) == "officer" else None)
        db.session.add(case)
        db.session.flush()
        data: dict[str, Any] = {"title": case.title, "category": category, "origin": origin}
        if severity:
            data["severity"] = severity
        if annual_year:
            data["annual_year"] = annual_year
        if note:
            data["note"] = note
        if initial_state == "escalated":
            data["reason"] = "annual_grade" if origin == "annual" else "manual"
        event = _append_event(case, "open", None, actor, data, at, (0, GENESIS))
        ctx = None
        if initial_state == "escalated":
            ctx = TransitionContext(case=case, event=event, trigger="escalate", actor=actor,
                                    actor_role=actor_role(actor), data=data, from_state=INITIAL,
                                    to_state="escalated", at=at)
            run_transition_hooks(ctx)
        db.session.commit()
    except Exception as error:  # noqa: BLE001
        raise _fail(error) from error
    if ctx is not None:
        _after_commit(ctx)
    return case


def _check_attachments(case: Case, ids: list[int]) -> list[int]:
    """The ids named by ``attachment_ids``, checked: each must be an upload to this case."""
    rows = db.session.execute(select(Attachment.id, Attachment.case_id).where(Attachment.id.in_(ids))).all() if ids else []
    if len(rows) != len(ids) or any(row.case_id != case.id for row in rows):
        raise InvalidField(N_("The field %(field)s names a file that does not belong to this case."),
                           field="attachment_ids")
    return list(ids)


def _prepare(case: Case, trigger: str, data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """Trigger-specific facts recorded on the case and derived into the event data."""
    if trigger == "issue_notice":
        case.severity = data["severity"]
        case.rectify_workdays = data.get("rectify_workdays") or 20
    elif trigger == "acknowledge" and data.get("delivered_at") is not None:
        delivered = data["delivered_at"]
        delivered = delivered if delivered.tzinfo else delivered.replace(tzinfo=clock.CST)
        if delivered > at:
            raise InvalidField(N_("The field %(field)s cannot be in the future."), field="delivered_at")
        data["delivered_at"] = delivered
    elif trigger == "submit_report":
        data["rectify_due"] = case.rectify_due
        data["on_time"] = case.rectify_due is None or clock.local(at).date() <= case.rectify_due
    elif trigger == "accept":
        report = db.session.execute(select(CaseEvent.data).where(CaseEvent.case_id == case.id,
                                                                 CaseEvent.trigger == "submit_report")
                                    .order_by(CaseEvent.seq.desc()).limit(1)).first()
        data["on_time"] = bool((report.data or {}).get("on_time", True)) if report else True
    return data


def _apply(case: Case, trigger: str, actor, role: str, cleaned: dict[str, Any],
           at: datetime) -> tuple[dict[str, Any], list[DeadlineChange]]:
    """Fire the machine and record the transition's facts on ``case`` (in memory; no flush): the
    cleaned data with its derived fields, and the deadline history rows (not yet in the session)."""
    cleaned = _prepare(case, trigger, cleaned, at)
    fire(case, trigger, cleaned)
    if trigger == "reject":
        case.reject_count = (case.reject_count or 0) + 1
    if trigger == "issue_notice" and case.handler_id is None and role == "officer":
        case.handler_id = actor.id
    case.updated_at = at
    case.closed_at = at if case.state in ("closed", "dismissed", "referred") else None
    changes = deadlines_apply(case=case, to_state=case.state, data=cleaned, at=at, trigger=trigger)
    return cleaned, changes


def case_transition(*, case: Case, trigger: str, actor, data: dict[str, Any] | None,
                    expected_version: int | None = None) -> Case:
    """Fire ``trigger`` on ``case`` as ``actor`` (None: the system): check, record, hook, commit — or nothing."""
    role = actor_role(actor)
    try:
        if expected_version is not None and int(expected_version) != case.version:
            raise VersionConflict()
        check_permission(trigger, role, same_unit=actor is not None and actor.unit_id == case.unit_id)
        from_state = case.state
        destination(from_state, trigger, case)  # 409 before field errors when the state forbids it
        cleaned = validate(trigger, data)
        attachments = _check_attachments(case, cleaned.get("attachment_ids") or [])
        at = clock.now()
        with db.session.no_autoflush:  # one versioned UPDATE per transition, not one per query
            cleaned, changes = _apply(case, trigger, actor, role, cleaned, at)
        db.session.flush()  # the versioned UPDATE: a concurrent change raises StaleDataError here
        event = _append_event(case, trigger, from_state, actor, cleaned, at)
        if attachments:  # one UPDATE; rows already in the session are updated in memory too
            db.session.execute(update(Attachment).where(Attachment.id.in_(attachments)).values(event_id=event.id))
        for change in changes:
            change.event_id = event.id
            db.session.add(change)
        ctx = TransitionContext(case=case, event=event, trigger=trigger, actor=actor, actor_role=role,
                                data=cleaned, from_state=from_state, to_state=case.state, at=at,
                                attachment_ids=attachments)
        run_transition_hooks(ctx)
        db.session.flush()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - every failure rolls back and becomes a domain error
        raise _fail(error) from error
    _after_commit(ctx)
    return case


def case_transitions(*, cases: list[Case], trigger: str, actor, data_of: Callable[[Case], dict[str, Any] | None]
                     ) -> list[Case]:
    """Fire ``trigger`` on every case of ``cases`` as ``actor`` in ONE transaction: all of them or none.

    The batch form of ``case_transition`` (same checks, rows and hooks, case by case in list order)
    for the sweep: the caller has loaded (and row-locked) the cases, ``data_of(case)`` gives each its
    data. The cases' versioned UPDATEs, their events (chained to each case's last event, read in one
    query) and deadline history are written in bulk, and the hooks run once for the batch
    (``run_transition_hooks_many``). Triggers with evidence (``attachment_ids``) are not batched.
    """
    role = actor_role(actor)
    ctxs: list[TransitionContext] = []
    try:
        prepared = []
        with db.session.no_autoflush:  # one flush for the batch's versioned UPDATEs
            for case in cases:
                check_permission(trigger, role, same_unit=actor is not None and actor.unit_id == case.unit_id)
                from_state = case.state
                destination(from_state, trigger, case)
                cleaned = validate(trigger, data_of(case))
                if cleaned.get("attachment_ids"):
                    raise ValueError("case_transitions does not link evidence; use case_transition")
                at = clock.now()
                cleaned, changes = _apply(case, trigger, actor, role, cleaned, at)
                prepared.append((case, from_state, cleaned, changes, at))
        db.session.flush()  # the versioned UPDATEs: a concurrent change raises StaleDataError here
        links = last_links([case.id for case in cases])
        events = []
        for case, from_state, cleaned, _changes, at in prepared:
            event = _next_event(case, trigger, from_state, actor, cleaned, at, links.get(case.id) or (0, GENESIS))
            links[case.id] = (event.seq, event.hash)  # a case listed twice chains to its own new event
            events.append(event)
        db.session.add_all(events)
        db.session.flush()  # the events' ids
        for event, (case, from_state, cleaned, changes, at) in zip(events, prepared, strict=True):
            for change in changes:
                change.event_id = event.id
            db.session.add_all(changes)
            ctxs.append(TransitionContext(case=case, event=event, trigger=trigger, actor=actor, actor_role=role,
                                          data=cleaned, from_state=from_state, to_state=case.state, at=at))
        run_transition_hooks_many(ctxs)
        db.session.flush()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - every failure rolls back and becomes a domain error
        raise _fail(error) from error
    for ctx in ctxs:
        _after_commit(ctx)
    return cases


def case_state_valid(case: Case) -> bool:
    """Whether the case is in one of the declared states."""
    return case.state in STATES
