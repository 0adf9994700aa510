"""Issued documents: numbering, the frozen context, integrity on every render, corrections.

A document row freezes its context as plain JSON at issue; ``sha256`` is the hash of that
canonical JSON with the kind's template files, so a rendering of a version is always the
same text — a changed context or template is refused (and logged), never shown silently.
A correction is a new version with a reason under the same number.

``document_issue`` and ``on_transition`` work inside the caller's transaction (no commit);
``report_issue``, ``document_correct`` and ``document_download`` are use cases and commit.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from caseflow import clock
from caseflow.documents import FORMATS, KINDS, build, render
from caseflow.documents.templating import TEMPLATE_DIR, plain
from caseflow.errors import N_, CaseflowError, Conflict, InvalidField
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, Document
from caseflow.permissions import require
from caseflow.services import document_contexts as contexts
from caseflow.services.numbering import document_number, next_number
from caseflow.states import TRIGGERS

log = logging.getLogger(__name__)

# The config setting holding each numbered kind's prefix; a receipt carries its notice's number.
PREFIX_SETTINGS: dict[str, str] = {
    "notice": "NOTICE_PREFIX",
    "recommendation": "RECOMMENDATION_PREFIX",
    "quarterly_report": "ANALYSIS_PREFIX",
    "halfyear_review": "REVIEW_PREFIX",
}
# Context keys a correction may not change: they identify the document.
FIXED_KEYS = frozenset({"organ", "number", "case_number", "period"})
ACCESS_ACTION = "document_download"
INTEGRITY_ACTION = "document_integrity_failure"


class DocumentIntegrityError(CaseflowError):
    """The stored context or the template no longer hashes to what was issued."""

    status, code = 409, "document_integrity"
    default_message = N_("This document no longer matches what was issued, so it is not shown. "
                         "Issue a correction to publish a new version.")


def canonical_json(context: dict) -> str:
    """The context as sorted, compact JSON: the bytes the hash covers."""
    return json.dumps(context, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@cache
def template_digest(kind: str) -> str:
    """Hash of the kind's template and the shared partials it may include (``_*.xml.j2``).

    Cached like the Jinja environment (which does not reload templates either), so the
    digest always describes the templates this process renders with.
    """
    digest = hashlib.sha256()
    names = [KINDS[kind].template] + sorted(p.name for p in Path(TEMPLATE_DIR).glob("_*.xml.j2"))
    for name in names:
        digest.update(name.encode())
        digest.update((Path(TEMPLATE_DIR) / name).read_bytes())
    return digest.hexdigest()


def document_hash(kind: str, context: dict) -> str:
    """SHA-256 over the kind, the template digest and the canonical context."""
    payload = f"{kind}\n{template_digest(kind)}\n{canonical_json(context)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _freeze(kind: str, context: dict) -> dict:
    """Plain JSON-safe copy of ``context``, checked against the template now rather than at download."""
    frozen = json.loads(canonical_json(plain(dict(context))))
    build(kind, frozen)  # a missing key fails the issuing transaction, not a later download
    return frozen


def document_issue(*, kind: str, unit=None, case=None, year: int, context: dict[str, Any], actor,
                   period: str | None = None, event=None, title: str | None = None) -> Document:
    """Number (when the kind is numbered), freeze and add a document to the session (no commit).

    ``year`` is the year the document is about (a recommendation's graded year); the number
    counts in the year of issue, as official document numbers do.
    """
    if kind not in KINDS:
        raise InvalidField(field="kind")
    at = clock.now()
    issue_year = clock.local(at).year
    context = dict(context)
    context.setdefault("organ", current_app.config["ORGAN_NAME"])
    context.setdefault("issued_on", clock.local(at).date().isoformat())
    if kind in PREFIX_SETTINGS:
        prefix = current_app.config[PREFIX_SETTINGS[kind]]
        context["number"] = document_number(prefix, issue_year, next_number(prefix, issue_year))
    if kind == "recommendation":
        context.setdefault("year", year)
    frozen = _freeze(kind, context)
    unit_id = unit.id if unit is not None else (case.unit_id if case is not None else None)
    row = Document(kind=kind, number=frozen.get("number") if kind in PREFIX_SETTINGS else None, year=issue_year,
                   version=1, case_id=getattr(case, "id", None), unit_id=unit_id,
                   event_id=getattr(event, "id", None), period=period or str(year),
                   title=(title or _title(kind, frozen, unit))[:200], context=frozen,
                   sha256=document_hash(kind, frozen), created_at=at, created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    return row


def _title(kind: str, context: dict, unit) -> str:
    """A list title: the kind's Chinese name and what the document is about."""
    name = KINDS[kind].title_zh
    if kind in ("quarterly_report", "halfyear_review"):
        return f"{context.get('period_label', '')}{name}"
    if kind == "recommendation":
        return f"{context.get('year', '')}年度{name}（{getattr(unit, 'name', '') or context.get('unit_name', '')}）"
    return f"{name}（{context.get('title') or context.get('unit_name', '')}）"


# --- transition hook ------------------------------------------------------------------------

def latest_of_case(case_id: int, kind: str) -> Document | None:
    """The newest version of a case's document of ``kind``."""
    return db.session.scalar(select(Document).where(Document.case_id == case_id, Document.kind == kind)
                             .order_by(Document.created_at.desc(), Document.id.desc()).limit(1))


def _scan_id(ctx) -> int | None:
    """The attachment holding a scanned paper receipt, when the acknowledgement names or links one."""
    named = ctx.data.get("scan_attachment_id") or (ctx.data.get("attachment_ids") or [None])[0]
    if named:
        return int(named)
    # The event is this transaction's own, so the rows linked to it are the transition's evidence.
    return min(ctx.attachment_ids, default=None)


def _notice(ctx) -> Document:
    case: Case = ctx.case
    officer = ctx.actor if getattr(ctx.actor, "role", None) == "officer" else case.handler
    context = contexts.notice_context(case, ctx.data, ctx.at, officer)
    return document_issue(kind="notice", case=case, year=clock.local(ctx.at).year, context=context,
                          actor=ctx.actor, event=ctx.event, title=f"预警告知书（{case.title}）")


def _receipt(ctx) -> Document:
    case: Case = ctx.case
    notice = latest_of_case(case.id, "notice")
    context = contexts.receipt_context(case, notice, ctx.data, ctx.at, ctx.actor, _scan_id(ctx))
    return document_issue(kind="receipt", case=case, year=clock.local(ctx.at).year, context=context,
                          actor=ctx.actor, event=ctx.event, title=f"送达回证（{context['number'] or case.number}）")


# Which document a trigger produces (``TriggerSpec.document`` names the kind).
CASE_DOCUMENTS = {"notice": _notice, "receipt": _receipt}


def on_transition(ctx) -> None:
    """Produce the trigger's document (notice, receipt) inside the transition's transaction."""
    kind = TRIGGERS[ctx.trigger].document if ctx.trigger in TRIGGERS else None
    builder = CASE_DOCUMENTS.get(kind or "")
    if builder is not None:
        ctx.documents.append(builder(ctx))


# --- rendering, downloads and corrections ---------------------------------------------------

def document_verify(document: Document) -> None:
    """Raise DocumentIntegrityError (and log it) unless the row still hashes to its ``sha256``."""
    actual = document_hash(document.kind, document.context or {})
    if actual != document.sha256:
        log.error("document %s (%s v%s) fails its integrity check: stored %s, now %s",
                  document.id, document.number or document.kind, document.version, document.sha256, actual)
        raise DocumentIntegrityError()


def _cache_path(document: Document, fmt: str) -> Path:
    return Path(current_app.config["DATA_DIR"]) / "documents" / document.sha256[:2] / f"{document.sha256}.{fmt}"


def document_render(document: Document, fmt: str) -> bytes:
    """The document as ``fmt`` from its frozen context, verified first; cached under DATA_DIR/documents."""
    if fmt not in FORMATS:
        raise InvalidField(field="format")
    document_verify(document)
    path = _cache_path(document, fmt)
    if path.is_file():
        return path.read_bytes()
    data = render(document.kind, document.context, fmt)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk costs a re-render next time, nothing more
        log.warning("could not cache %s", path, exc_info=True)
    return data


def document_download(*, document: Document, fmt: str, user, address: str | None = None) -> bytes:
    """Render for ``user`` (access already checked by the selector) and record it in the access log.

    A failed integrity check is recorded too (action ``document_integrity_failure``), so the
    supervisors reading the access log see it, and the error is raised to the caller.
    """
    try:
        data = document_render(document, fmt)
    except DocumentIntegrityError:
        db.session.add(AccessLog(user_id=getattr(user, "id", None), at=clock.now(), action=INTEGRITY_ACTION,
                                 object_kind="document", object_id=document.id,
                                 address=(address or "")[:64] or None))
        db.session.commit()
        raise
    db.session.add(AccessLog(user_id=getattr(user, "id", None), at=clock.now(), action=ACCESS_ACTION,
                             object_kind="document", object_id=document.id, address=(address or "")[:64] or None))
    db.session.commit()
    return data


def document_correct(*, document: Document, context_changes: dict[str, Any], reason: str, actor) -> Document:
    """Issue a new version of ``document`` with ``context_changes`` and a reason, keeping its number."""
    require(actor, "documents.issue")
    if not (reason or "").strip():
        raise InvalidField(N_("A correction needs a reason."), field="reason")
    newer = db.session.scalar(select(Document.id).where(Document.supersedes_id == document.id).limit(1))
    if newer is not None:
        raise Conflict(N_("Only the latest version of a document can be corrected."))
    changes = {k: v for k, v in (context_changes or {}).items() if (document.context or {}).get(k) != v}
    bad = sorted(k for k in changes if k in FIXED_KEYS or k not in (document.context or {}))
    if bad:
        raise InvalidField(field=f"context.{bad[0]}")
    if not changes:
        raise InvalidField(N_("A correction must change something."), field="context")
    try:
        frozen = _freeze(document.kind, {**document.context, **changes})
        row = Document(kind=document.kind, number=document.number, year=document.year,
                       version=document.version + 1, supersedes_id=document.id,
                       correction_reason=reason.strip()[:2000], case_id=document.case_id, unit_id=document.unit_id,
                       event_id=document.event_id, period=document.period, title=document.title, context=frozen,
                       sha256=document_hash(document.kind, frozen), created_at=clock.now(),
                       created_by_id=getattr(actor, "id", None))
        db.session.add(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row
