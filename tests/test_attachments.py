"""Evidence uploads: type by content, size limit, content-addressed storage, access, disk full."""
from __future__ import annotations

import errno
import hashlib
import io
import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseflow.demo.cases import _png
from caseflow.errors import InvalidField, TooLarge
from caseflow.models import Attachment
from caseflow.services import attachments as service
from caseflow.services.attachments import StorageFull, attachment_save, storage_path
from tests.conftest import CSRF_RE
from tests.factories_cases import leader_of, make_case


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
DOCX = _zip("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml")
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode"

GOOD = [("report.pdf", PDF, "application/pdf"), ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.png", _png(random.Random(1)), "image/png"),
        ("report.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("ledger.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("说明.txt", "整改说明：已完成。\n".encode(), "text/plain")]
BAD = [("report.pdf", EXE), ("photo.png", PDF), ("report.docx", _zip("evil.sh")), ("tool.exe", EXE),
       ("notes.txt", b"\x00\x01\x02binary"), ("script.sh", b"#!/bin/sh\nrm -rf /\n")]


def _files(app) -> list[Path]:
    root = Path(app.config["DATA_DIR"]) / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "content", "mime"), GOOD, ids=[g[0] for g in GOOD])
def test_allowed_types_are_stored_under_their_hash(app, db, name, content, mime):
    case = make_case(state="rectifying")
    row = attachment_save(content=content, filename=name, actor=leader_of(case.unit), case=case)
    sha = hashlib.sha256(content).hexdigest()
    assert (row.content_type, row.sha256, row.size, row.filename) == (mime, sha, len(content), name)
    path = storage_path(sha)
    assert path == Path(app.config["DATA_DIR"]) / "attachments" / sha[:2] / sha
    assert path.read_bytes() == content
    assert "static" not in path.parts


@pytest.mark.parametrize(("name", "content"), BAD, ids=[b[0] + "-" + str(i) for i, b in enumerate(BAD)])
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(app, db, name, content):
    case = make_case(state="rectifying")
    before = set(_files(app))
    with pytest.raises(InvalidField) as info:
        attachment_save(content=content, filename=name, actor=leader_of(case.unit), case=case)
    assert info.value.status == 422 and info.value.field == "file"
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert set(_files(app)) == before


def test_size_limit(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    case = make_case(state="rectifying")
    with pytest.raises(TooLarge):
        attachment_save(content=b"a" * 1025, filename="big.txt", actor=None, case=case)
    assert attachment_save(content=b"a" * 1024, filename="ok.txt", actor=None, case=case).size == 1024


def test_disk_full_gives_a_clear_error_and_no_row(app, db, monkeypatch):
    case = make_case(state="rectifying")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(service.os, "replace", full)
    with pytest.raises(StorageFull) as info:
        attachment_save(content=b"evidence that will not fit\n", filename="e.txt", actor=None, case=case)
    assert info.value.status == 507 and "storage is full" in info.value.render()
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert not storage_path(hashlib.sha256(b"evidence that will not fit\n").hexdigest()).exists()
    assert not [p for p in _files(app) if p.name.startswith(".upload-")]


def test_same_content_is_stored_once(app, db):
    case = make_case(state="rectifying")
    a = attachment_save(content=b"same\n", filename="a.txt", actor=None, case=case)
    b = attachment_save(content=b"same\n", filename="b.txt", actor=None, case=case)
    assert a.sha256 == b.sha256 and a.id != b.id


def test_download_only_for_those_who_may_see_the_case(db, login_as):
    case = make_case(state="rectifying")
    row = attachment_save(content=PDF, filename="report.pdf", actor=None, case=case)
    url = f"/cases/{case.id}/attachments/{row.id}"
    leader = login_as("unit_leader", unit=case.unit)
    with leader.get(url) as response:
        assert response.status_code == 200
        assert response.data == PDF and response.headers["X-Content-SHA256"] == row.sha256
        assert "attachment" in response.headers["Content-Disposition"]
    stranger = login_as("unit_leader")
    assert stranger.get(url).status_code == 403
    assert login_as("monitor").get(url).status_code == 403
    with login_as("auditor").get(url) as response:
        assert response.status_code == 200
    other = make_case(state="rectifying")
    assert login_as("officer").get(f"/cases/{other.id}/attachments/{row.id}").status_code == 404


def test_case_page_shows_sha256_and_web_upload(db, login_as):
    case = make_case(state="rectifying")
    leader = login_as("unit_leader", unit=case.unit)
    page = leader.get(f"/cases/{case.id}").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = leader.post(f"/cases/{case.id}/attachments", data={"csrf_token": token, "up-file": (io.BytesIO(EXE), "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    response = leader.post(f"/cases/{case.id}/attachments",
                           data={"csrf_token": token, "up-file": (io.BytesIO(PDF), "整改.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert hashlib.sha256(PDF).hexdigest() in response.get_data(as_text=True)
