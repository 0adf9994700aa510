"""Document pages and the pinned download API: access, formats, the access log, corrections, reports."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from caseflow.extensions import db
from caseflow.models import AccessLog, Document
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import make_case

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@pytest.fixture()
def notice(db):
    """A notice issued by a real transition at a unit of its own."""
    unit = factories.unit(name="骆驼街道荣吉村村民委员会")
    case = make_case(unit=unit, state="notice_issued", findings="村道工程未公开招标")
    return db.session.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "notice"))


def downloads(document_id: int) -> int:
    return len(list(db.session.scalars(select(AccessLog).where(AccessLog.action == "document_download",
                                                               AccessLog.object_id == document_id))))


def test_officer_downloads_the_pdf_and_the_download_is_logged(login_as, notice):
    client = login_as("officer")
    response = client.get(f"/documents/{notice.id}?format=pdf")
    assert response.status_code == 200 and response.content_type == CONTENT_TYPES["pdf"]
    assert f"filename*=UTF-8''{quote(notice.number)}" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "骆驼街道荣吉村村民委员会" in text.replace("\n", "")
    log = db.session.scalar(select(AccessLog).where(AccessLog.object_id == notice.id))
    assert (log.action, log.object_kind, log.user_id) == ("document_download", "document", client.user.id)


def test_printable_page_and_word_file(login_as, notice):
    client = login_as("auditor")
    page = client.get(f"/documents/{notice.id}?format=html")
    assert page.status_code == 200 and page.content_type == CONTENT_TYPES["html"]
    assert "预警告知书" in page.get_data(as_text=True)
    assert "script-src" not in page.headers["Content-Security-Policy"]  # no script may run in a document
    assert page.headers["Content-Disposition"].startswith("inline;")
    word = client.get(f"/documents/{notice.id}?format=docx")
    assert word.content_type == CONTENT_TYPES["docx"] and word.data.startswith(b"PK")
    assert word.headers["Content-Disposition"].startswith("attachment;")
    assert downloads(notice.id) == 2


def test_unit_leader_sees_only_their_own_units_documents(login_as, notice):
    own = login_as("unit_leader", unit_id=notice.unit_id)
    assert own.get(f"/documents/{notice.id}?format=html").status_code == 200
    other = login_as("unit_leader")
    assert other.get(f"/documents/{notice.id}?format=html").status_code == 403
    assert notice.number not in other.get("/documents/").get_data(as_text=True)
    assert notice.number in own.get("/documents/").get_data(as_text=True)
    assert downloads(notice.id) == 1


def test_monitors_and_anonymous_users_get_nothing(login_as, client, notice):
    monitor = login_as("monitor")
    assert monitor.get(f"/documents/{notice.id}?format=html").status_code == 403
    assert monitor.get("/documents/").status_code == 403
    anonymous = client.get(f"/documents/{notice.id}?format=pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert downloads(notice.id) == 0


def test_unknown_document_and_bad_format(login_as, notice):
    client = login_as("officer")
    assert client.get("/documents/999999?format=pdf").status_code == 404
    assert client.get(f"/documents/{notice.id}?format=exe").status_code == 422


def test_list_filters_by_kind_and_year(login_as, notice):
    client = login_as("supervisor")
    assert notice.number in client.get("/documents/?kind=notice").get_data(as_text=True)
    assert notice.number not in client.get("/documents/?kind=receipt").get_data(as_text=True)
    assert notice.number not in client.get("/documents/?year=2001").get_data(as_text=True)
    assert notice.number in client.get(f"/documents/?unit={notice.unit_id}").get_data(as_text=True)


def test_correction_through_the_page_keeps_the_old_version_downloadable(login_as, notice):
    client = login_as("officer")
    path = f"/documents/{notice.id}/info"
    assert client.get(path).status_code == 200
    token = csrf_token(client, path)
    refused = client.post(f"/documents/{notice.id}/correct", data={"csrf_token": token, "reason": "",
                                                                   "ctx_findings": "更正后"})
    assert refused.status_code == 422
    response = client.post(f"/documents/{notice.id}/correct",
                           data={"csrf_token": token, "reason": "金额笔误", "ctx_findings": "村道工程（更正）未公开招标"})
    assert response.status_code == 302
    new = db.session.scalar(select(Document).where(Document.supersedes_id == notice.id))
    assert (new.number, new.version, new.correction_reason) == (notice.number, 2, "金额笔误")
    assert "（更正）" in client.get(f"/documents/{new.id}?format=html").get_data(as_text=True)
    old = client.get(f"/documents/{notice.id}?format=html").get_data(as_text=True)
    assert "村道工程未公开招标" in old and "金额笔误" in client.get(path).get_data(as_text=True)
    auditor = login_as("auditor")
    assert auditor.post(f"/documents/{notice.id}/correct", data={"reason": "x"}).status_code in (400, 403)


def test_reports_page_issues_a_numbered_report(login_as, db):
    officer = login_as("officer")
    page = officer.get("/documents/reports")
    assert page.status_code == 200
    token = csrf_token(officer, "/documents/reports")
    html = page.get_data(as_text=True)
    period = html.split('name="quarterly_report-period"')[1].split('value="')[1].split('"')[0]
    response = officer.post("/documents/reports", data={"csrf_token": token, "quarterly_report-kind": "quarterly_report",
                                                       "quarterly_report-period": period})
    assert response.status_code == 302
    report = db.session.scalar(select(Document).where(Document.kind == "quarterly_report"))
    assert report.number.startswith("镇纪预析") and report.period == period.replace("-", "Q")
    assert officer.get(f"/documents/{report.id}?format=html").status_code == 200
    auditor = login_as("auditor")
    assert auditor.get("/documents/reports").status_code == 200
    assert login_as("unit_leader").get("/documents/reports").status_code == 403


# --- the pinned API route ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_api_returns_the_file_with_its_content_type(client, api_token, notice, fmt):
    response = client.get(f"/api/v1/documents/{notice.id}?format={fmt}", headers=api_token("officer"))
    assert response.status_code == 200 and response.content_type == CONTENT_TYPES[fmt]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"-v1.{fmt}" in disposition
    assert downloads(notice.id) == 1


def test_api_errors(client, api_token, notice):
    officer = api_token("officer")
    assert client.get(f"/api/v1/documents/{notice.id}").status_code == 401
    missing = client.get("/api/v1/documents/999999?format=pdf", headers=officer)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    bad = client.get(f"/api/v1/documents/{notice.id}?format=odt", headers=officer)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "format"
    for role in ("monitor", "unit_leader"):
        refused = client.get(f"/api/v1/documents/{notice.id}?format=html", headers=api_token(role))
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    own = client.get(f"/api/v1/documents/{notice.id}?format=html", headers=api_token("unit_leader",
                                                                                   unit_id=notice.unit_id))
    assert own.status_code == 200


def test_api_lists_the_documents_the_caller_may_see(client, api_token, notice):
    listed = client.get("/api/v1/documents?kind=notice", headers=api_token("auditor")).get_json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == notice.number
    assert listed["items"][0]["unit_name"] == "骆驼街道荣吉村村民委员会"
    other = client.get("/api/v1/documents", headers=api_token("unit_leader")).get_json()
    assert other["total"] == 0
    assert client.get("/api/v1/documents", headers=api_token("monitor")).status_code == 403


def test_a_tampered_document_is_refused_and_the_refusal_logged(login_as, notice):
    db.session.execute(update(Document).where(Document.id == notice.id)
                       .values(context={**notice.context, "findings": "改过"}))
    db.session.commit()
    client = login_as("officer")
    assert client.get(f"/documents/{notice.id}?format=html").status_code == 409
    actions = list(db.session.scalars(select(AccessLog.action).where(AccessLog.object_id == notice.id)))
    assert actions == ["document_integrity_failure"]
