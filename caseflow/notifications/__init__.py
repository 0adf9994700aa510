"""Notifications: who a transition concerns, and the channels that reach them (in-app, e-mail).

``on_transition`` is a transition hook (see ``caseflow.services.hooks``): it adds in-app rows
inside the transition's transaction and defers e-mail to ``ctx.after_commit``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from caseflow import clock
from caseflow.errors import N_
from caseflow.extensions import db
from caseflow.models import Notification, User
from caseflow.notifications.channels import CHANNELS, Channel, get_channel, register  # noqa: F401

# kind -> message (English msgid with %(number)s, %(unit)s, %(title)s, %(state)s ... parameters)
MESSAGES: dict[str, str] = {
    "notice_issued": N_("Warning notice for case %(number)s (%(title)s) issued to your unit; please acknowledge it."),
    "acknowledged": N_("The unit acknowledged the notice of case %(number)s; rectification has started."),
    "report_submitted": N_("The unit submitted its rectification report for case %(number)s; please verify it."),
    "accepted": N_("The rectification of case %(number)s was accepted; the case is closed."),
    "rejected": N_("The rectification report of case %(number)s was rejected; please rectify again."),
    "escalated": N_("Case %(number)s (%(unit)s) was escalated and awaits your decision."),
    "talk_ordered": N_("An integrity talk was ordered in case %(number)s."),
    "inquiry_ordered": N_("An inquiry was ordered in case %(number)s."),
    "rectify_again": N_("Case %(number)s is back in rectification after the talk or inquiry."),
    "referred": N_("Case %(number)s was referred for disciplinary review."),
    "reopened": N_("Case %(number)s was reopened; please rectify again."),
    "dismissed": N_("Case %(number)s was dismissed."),
    "reminder": N_("Reminder: the %(deadline)s deadline of case %(number)s is due on %(due)s."),
    "overdue": N_("The %(deadline)s deadline of case %(number)s passed on %(due)s."),
}

_Recipients = Callable[[Any], Iterable[User]]


def _users():
    """The recipients' query: plain user rows (their unit and station load on access, not by join)."""
    return select(User).options(lazyload(User.unit), lazyload(User.station))


def unit_leaders(case) -> list[User]:
    """The active unit leaders of the case's unit."""
    return list(db.session.scalars(_users().where(User.role == "unit_leader", User.unit_id == case.unit_id,
                                                      User.active.is_(True)).order_by(User.id)))


def supervisors(case) -> list[User]:
    """Every active supervisor."""
    return list(db.session.scalars(_users().where(User.role == "supervisor", User.active.is_(True))
                                   .order_by(User.id)))


def handlers(case) -> list[User]:
    """The case officer, or every active officer while the case has none."""
    if case.handler_id is not None:
        user = db.session.get(User, case.handler_id, options=[lazyload(User.unit), lazyload(User.station)])
        return [user] if user is not None and user.active else []
    return list(db.session.scalars(_users().where(User.role == "officer", User.active.is_(True))
                                   .order_by(User.id)))


def _both(case) -> list[User]:
    return handlers(case) + unit_leaders(case)


# trigger -> (kind, recipients)
CONCERNS: dict[str, tuple[str, _Recipients]] = {
    "issue_notice": ("notice_issued", unit_leaders),
    "acknowledge": ("acknowledged", handlers),
    "submit_report": ("report_submitted", handlers),
    "accept": ("accepted", unit_leaders),
    "reject": ("rejected", unit_leaders),
    "escalate": ("escalated", supervisors),
    "order_talk": ("talk_ordered", _both),
    "order_inquiry": ("inquiry_ordered", _both),
    "record_talk": ("rectify_again", unit_leaders),
    "record_inquiry": ("rectify_again", unit_leaders),
    "refer": ("referred", _both),
    "reopen": ("reopened", unit_leaders),
    "dismiss": ("dismissed", handlers),
}


def case_params(case, **extra: Any) -> dict[str, Any]:
    """The message parameters describing a case."""
    return {"number": case.number, "title": case.title, "unit": case.unit.name if case.unit else "", **extra}


def notify(*, users: Iterable[User], kind: str, case, params: dict[str, Any],
           after_commit: list[Callable[[], None]], exclude: Any = None) -> list[Notification]:
    """Create ``kind`` notifications for ``users`` through every channel (e-mail after commit)."""
    rows = [Notification(user_id=user_id, kind=kind, case_id=getattr(case, "id", None), params=params,
                         created_at=clock.now()) for user_id in _recipient_ids(users, exclude)]
    if rows:
        for channel in CHANNELS.values():
            channel.deliver(rows, after_commit)
    return rows


def _row_values(users: Iterable[User], kind: str, case, params: dict[str, Any], exclude: Any,
                at) -> list[dict]:
    """``notify``'s rows as column values: each user once, ``exclude`` left out."""
    return [{"user_id": user_id, "kind": kind, "case_id": getattr(case, "id", None), "params": params,
             "created_at": at, "read_at": None, "email_status": None, "email_error": None}
            for user_id in _recipient_ids(users, exclude)]


def _recipient_ids(users: Iterable[User], exclude: Any) -> list[int]:
    """The ids of ``users``, each once, in order, without None and without ``exclude`` (the actor)."""
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        out.append(user.id)
    return out


def notify_many(calls: list[dict[str, Any]]) -> list[list[dict]]:
    """Many ``notify(**call)`` at once (the same rows, inserted in bulk); each call's rows as column dicts
    (with their ``id`` only when a channel needs it, see ``Channel.wants_ids``).

    Batched only when every registered channel can deliver in bulk, otherwise ``notify`` call by call."""
    if not all(hasattr(channel, "deliver_many") for channel in CHANNELS.values()):
        return [[{"id": row.id} for row in notify(**call)] for call in calls]
    at = clock.now()
    groups = [(_row_values(call["users"], call["kind"], call["case"], call["params"], call.get("exclude"), at),
               call["after_commit"]) for call in calls]
    delivered = [group for group in groups if group[0]]  # as ``notify``: no rows, no delivery
    for channel in CHANNELS.values():
        channel.deliver_many(delivered)
    return [rows for rows, _after in groups]


def _concern(ctx) -> tuple[str, _Recipients] | None:
    """What a transition's notification is and whom it goes to (None: nobody is told)."""
    concern = CONCERNS.get(ctx.trigger)
    if concern is not None and ctx.trigger == "reject" and ctx.to_state == "escalated":
        return "escalated", supervisors
    return concern


# Recipient rules that do not depend on the case: read once per batch.
CASE_FREE: frozenset[_Recipients] = frozenset({supervisors})


def on_transitions(ctxs: list) -> None:
    """Batch hook: ``on_transition`` for many transitions (one transaction), the rows inserted at once and the
    recipients that do not depend on the case read once."""
    calls: list[dict[str, Any]] = []
    told = []
    read: dict[_Recipients, list[User]] = {}
    with db.session.no_autoflush:  # the recipients do not depend on the rows the transitions added
        for ctx in ctxs:
            concern = _concern(ctx)
            if concern is None:
                continue
            kind, recipients = concern
            if recipients not in CASE_FREE:
                users = recipients(ctx.case)
            elif recipients in read:
                users = read[recipients]
            else:
                users = read[recipients] = recipients(ctx.case)
            calls.append({"users": users, "kind": kind, "case": ctx.case, "after_commit": ctx.after_commit,
                          "exclude": ctx.actor, "params": case_params(ctx.case, trigger=ctx.trigger, state=ctx.to_state)})
            told.append(ctx)
    for ctx, rows in zip(told, notify_many(calls), strict=True):
        ctx.notifications.extend(rows)


def on_transition(ctx) -> None:
    """Transition hook: notify whoever the transition concerns."""
    concern = _concern(ctx)
    if concern is None:
        return
    kind, recipients = concern
    params = case_params(ctx.case, trigger=ctx.trigger, state=ctx.to_state)
    with db.session.no_autoflush:  # the recipients do not depend on the rows the transition added
        users = recipients(ctx.case)
    created = notify(users=users, kind=kind, case=ctx.case, params=params,
                     after_commit=ctx.after_commit, exclude=ctx.actor)
    ctx.notifications.extend(created)


def message(notification: Notification, translate: Callable[[str], str] = lambda s: s) -> str:
    """The text of a notification in the caller's language."""
    text = translate(MESSAGES.get(notification.kind, N_("Case %(number)s changed.")))
    params = dict(notification.params or {})
    if "deadline" in params:
        params["deadline"] = translate(params["deadline"])
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text
