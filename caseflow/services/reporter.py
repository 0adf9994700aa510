"""Reporter protection (SPEC §2): the contact a reporter leaves is shown only to the officers
handling that signal or its case and to supervisors, and every showing is logged.

Nothing else reads ``Signal.reporter_contact``: pages, the API, exports, documents and
notifications never include it, and no log line mentions it.
"""
from __future__ import annotations

from caseflow import clock
from caseflow.errors import N_, Forbidden
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, Signal, User
from caseflow.permissions import can

ACTION = "reporter_contact"


def may_see_reporter(user: User | None, signal: Signal) -> bool:
    """Supervisors, the signal's handling officer and the handler of its case; nobody else."""
    if not can(user, "reporter.identity"):
        return False
    if user.role == "supervisor":
        return True
    if signal.officer_id is not None and signal.officer_id == user.id:
        return True
    if signal.case_id is not None:
        case = db.session.get(Case, signal.case_id)
        return case is not None and case.handler_id == user.id
    return False


def reporter_contact_view(*, signal: Signal, user: User, address: str | None = None) -> str | None:
    """Return the reporter's contact for ``user`` and record the view in the access log."""
    if not may_see_reporter(user, signal):
        raise Forbidden(N_("Only the officers handling this signal and supervisors may see the reporter's contact."))
    db.session.add(AccessLog(user_id=user.id, at=clock.now(), action=ACTION, object_kind="signal",
                             object_id=signal.id, address=(address or "")[:64] or None))
    db.session.commit()
    return signal.reporter_contact
