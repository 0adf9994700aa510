"""Document reads: who may see which document, the filtered list, one document and its versions.

Access follows what the document is about: case documents (notice, receipt) whoever may
read cases, a unit's recommendation whoever may see units, reports whoever reads reports;
unit leaders only their own unit's; monitors none.
"""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from caseflow.errors import Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models import Document, Unit
from caseflow.permissions import UNIT_SCOPED, can, unit_scope
from caseflow.selectors.common import Page, paginate

_NEWER = aliased(Document)  # built once, not per request

# The capability that lets a user see documents of each kind.
KIND_CAPABILITY: dict[str, str] = {
    "notice": "cases.read",
    "receipt": "cases.read",
    "recommendation": "units.read",
    "quarterly_report": "reports.read",
    "halfyear_review": "reports.read",
}


def visible_kinds(user) -> list[str]:
    """The document kinds ``user`` may see at all."""
    if not can(user, "documents.read"):
        return []
    if getattr(user, "role", None) in UNIT_SCOPED and user.unit_id is None:
        return []  # a unit leader not tied to a unit sees nothing, not everything
    return [kind for kind, capability in KIND_CAPABILITY.items() if can(user, capability)]


def document_visible(user, document: Document) -> bool:
    """Object-level check for one document."""
    if document.kind not in visible_kinds(user):
        return False
    scope = unit_scope(user)
    return scope is None or document.unit_id == scope


def document_get(user, document_id: int) -> Document:
    """One document ``user`` may see, or NotFound / Forbidden."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    if not document_visible(user, document):
        raise Forbidden()
    return document


def _latest():
    """Rows no newer version supersedes."""
    newer = _NEWER
    return ~exists().where(newer.supersedes_id == Document.id)


def documents_page(user, *, kind: str | None = None, year: int | None = None, unit_id: int | None = None,
                   latest_only: bool = True, page: int = 1, per_page: int = 50) -> Page:
    """The documents ``user`` may see, newest first, filtered and paginated (rows are (Document, unit name))."""
    kinds = visible_kinds(user)
    if not kinds:
        raise Forbidden()
    stmt = (select(Document, Unit.name).outerjoin(Unit, Unit.id == Document.unit_id)
            .where(Document.kind.in_([kind] if kind in kinds else kinds))
            .order_by(Document.created_at.desc(), Document.id.desc()))
    if kind and kind not in kinds:
        stmt = stmt.where(Document.id.is_(None))
    scope = unit_scope(user)
    if scope is not None:
        stmt = stmt.where(Document.unit_id == scope)
    if unit_id:
        stmt = stmt.where(Document.unit_id == unit_id)
    if year:
        stmt = stmt.where(Document.year == year)
    if latest_only:
        stmt = stmt.where(_latest())
    return paginate(stmt, page, per_page, scalars=False)


def document_years() -> list[int]:
    """Years that have documents, newest first (for the filter)."""
    return list(db.session.scalars(select(Document.year).distinct().order_by(Document.year.desc())))


def document_versions(document: Document) -> list[Document]:
    """Every version of ``document``'s chain, oldest first (a chain is short: one query per step)."""
    root = document
    while root.supersedes_id is not None:
        root = db.session.get(Document, root.supersedes_id)
    chain = [root]
    while True:
        following = db.session.scalar(select(Document).where(Document.supersedes_id == chain[-1].id).limit(1))
        if following is None:
            return chain
        chain.append(following)


def reports_issued(kinds: tuple[str, ...], limit: int = 20) -> list[Document]:
    """The latest versions of recent reports of ``kinds``."""
    return list(db.session.scalars(select(Document).where(Document.kind.in_(kinds), _latest())
                                   .order_by(Document.created_at.desc(), Document.id.desc()).limit(limit)))
