"""Anonymous public complaints (channel ``public_web``): filing with a receipt code, following
the complaint with it, the reporter's additions and the officers' public replies.

The receipt is shown once and only its SHA-256 is stored. A lookup always normalises,
hashes and queries, so an unknown code and a mistyped one cost the same and answer the same.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from caseflow import clock
from caseflow.errors import N_, Forbidden, InvalidField, NotFound
from caseflow.extensions import db
from caseflow.models import CATEGORIES, Signal, SignalReply, Unit, User
from caseflow.permissions import require
from caseflow.security import token_digest
from caseflow.services.signals import clean_text, new_signal

# No 0/O, 1/I/L: a code read aloud or copied from paper survives.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16
DETAILS_MAX = 5000
CONTACT_MAX = 200
UNIT_NAME_MAX = 120
REPLY_MAX = 3000

# What the public sees of the handling status; nothing else about the handling leaks.
PUBLIC_STATUSES = {
    "new": N_("Received"),
    "assigned": N_("Being handled"),
    "case_opened": N_("A case has been opened"),
    "linked": N_("Joined to a case already open"),
    "rejected": N_("Handled: no case opened"),
}


def receipt_new() -> str:
    """A fresh 16-character receipt code from the unambiguous alphabet."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def receipt_normalise(text: str | None) -> str:
    """Upper-case, drop spaces and dashes; length is bounded so hashing costs the same."""
    return "".join(ch for ch in (text or "")[:64].upper() if ch not in " -\t")


def format_receipt(code: str) -> str:
    """Group a receipt in fours for reading: ``ABCD-EFGH-JKMN-PQRS``."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _summary(details: str) -> str:
    first = " ".join(details.split())
    return first if len(first) <= 60 else first[:59] + "…"


def complaint_file(*, unit_name: str, category: str, details: str, contact: str | None = None) -> tuple[Signal, str]:
    """File an anonymous complaint; return the signal and the receipt code (shown once, never stored)."""
    unit_name = clean_text(unit_name, "unit_name", UNIT_NAME_MAX, required=True)
    if category not in CATEGORIES:
        raise InvalidField(N_("Unknown category."), field="category")
    details = clean_text(details, "details", DETAILS_MAX, required=True)
    contact = clean_text(contact, "contact", CONTACT_MAX, required=False) or None
    unit = db.session.scalar(select(Unit).where(Unit.name == unit_name, Unit.active.is_(True)))
    receipt = receipt_new()
    try:
        signal = new_signal(channel="public_web", category=category, summary=_summary(details), details=details,
                            unit_id=unit.id if unit else None, unit_name_given=unit_name, anonymous=True,
                            receipt_hash=token_digest(receipt), reporter_contact=contact)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return signal, receipt


def complaint_lookup(receipt: str | None) -> Signal:
    """The complaint of a receipt code; NotFound for unknown and malformed codes alike."""
    code = receipt_normalise(receipt)
    signal = db.session.scalar(select(Signal).where(Signal.receipt_hash == token_digest(code),
                                                    Signal.channel == "public_web"))
    well_formed = len(code) == RECEIPT_LENGTH and all(ch in RECEIPT_ALPHABET for ch in code)
    if signal is None or not well_formed:
        raise NotFound()  # the plain 404, identical to an address that matches no route
    return signal


def public_replies(signal: Signal) -> list[SignalReply]:
    """The conversation on a complaint, oldest first."""
    return list(db.session.scalars(select(SignalReply).where(SignalReply.signal_id == signal.id)
                                   .order_by(SignalReply.created_at, SignalReply.id)))


def complaint_add_info(*, receipt: str, body: str) -> SignalReply:
    """The reporter adds information to their complaint, identified only by the receipt."""
    signal = complaint_lookup(receipt)
    text = clean_text(body, "body", REPLY_MAX, required=True)
    reply = SignalReply(signal_id=signal.id, from_reporter=True, body=text, created_at=clock.now())
    db.session.add(reply)
    db.session.commit()
    return reply


def signal_reply(*, signal: Signal, actor: User, body: str) -> SignalReply:
    """An officer's public reply to the reporter of an anonymous complaint (the reporter reads it by receipt)."""
    require(actor, "signals.triage")
    if signal.receipt_hash is None:
        raise Forbidden(N_("Only anonymous complaints with a receipt code can be answered here."))
    text = clean_text(body, "body", REPLY_MAX, required=True)
    reply = SignalReply(signal_id=signal.id, author_id=actor.id, from_reporter=False, body=text,
                        created_at=clock.now())
    db.session.add(reply)
    db.session.commit()
    return reply
