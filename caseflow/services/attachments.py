"""Evidence uploads: checked by content, stored outside the web root under their SHA-256."""
from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path, PurePath

import filetype
from flask import current_app

from caseflow import clock
from caseflow.errors import N_, CaseflowError, InvalidField, TooLarge
from caseflow.extensions import db
from caseflow.models import Attachment

# detected MIME type -> the file-name extensions it may carry
ALLOWED: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "text/plain": ("txt", "text", "csv", "md"),
}
_OOXML = {"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class StorageFull(CaseflowError):
    """The disk is full; nothing was stored."""

    status, code = 507, "storage_full"
    default_message = N_("The server's storage is full; the file was not stored. Please tell the administrator.")


def _ooxml(content: bytes) -> str | None:
    """The OOXML type of a zip, judged by its parts, or None when it is not a Word/Excel file."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, mime in _OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return mime
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_type(content: bytes) -> str | None:
    """The allowed MIME type of ``content`` judged by its bytes, or None."""
    kind = filetype.guess(content)
    if kind is None:
        return "text/plain" if content and _is_text(content) else None
    if kind.mime in ("application/zip", *_OOXML.values()):
        return _ooxml(content)
    return kind.mime if kind.mime in ALLOWED else None


def storage_path(sha256: str) -> Path:
    """Where the file with this hash lives: ``DATA_DIR/attachments/<sha[:2]>/<sha>``."""
    return Path(current_app.config["DATA_DIR"]) / "attachments" / sha256[:2] / sha256


def _store(content: bytes, sha256: str) -> None:
    """Write the bytes once (atomically); an identical file already stored is reused."""
    path = storage_path(sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean_name(filename: str | None) -> str:
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    return (name or "upload")[:200]


def attachment_check(content: bytes, filename: str | None, *, field: str = "file") -> tuple[str, str]:
    """Judge an upload by its content (and require its name to agree); return (clean name, MIME type)."""
    name = _clean_name(filename)
    mime = detect_type(content) if content else None
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    known = {e for exts in ALLOWED.values() for e in exts}
    if mime is None or (ext and (ext not in known or ext not in ALLOWED[mime])):
        raise InvalidField(N_("The file %(name)s is not an allowed type or its content does not match its "
                              "name (allowed: PDF, JPEG, PNG, DOCX, XLSX, plain text)."), field=field, name=name)
    return name, mime


def attachment_save(*, content: bytes, filename: str | None, actor, case=None, signal=None) -> Attachment:
    """Check and store an upload for a case (or signal) and commit its row; raise 413/422/507."""
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
    if len(content) > limit:
        raise TooLarge(N_("The file is larger than %(limit)s MB."), field="file", limit=limit // (1024 * 1024) or 1)
    if not content:
        raise InvalidField(N_("The file is empty."), field="file")
    name, mime = attachment_check(content, filename)
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        _store(content, sha256)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull() from None
        raise
    row = Attachment(case_id=getattr(case, "id", None), signal_id=getattr(signal, "id", None),
                     uploaded_by_id=getattr(actor, "id", None), filename=name, content_type=mime,
                     size=len(content), sha256=sha256, created_at=clock.now())
    db.session.add(row)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return row
