"""Documents service: notices and receipts from real transitions, numbering, integrity, corrections."""
from __future__ import annotations

import io
import shutil
import subprocess
import threading
from datetime import datetime

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select, update

from caseflow import clock
from caseflow.demo.reports import last_periods
from caseflow.errors import CaseflowError, Conflict, InvalidField
from caseflow.extensions import db
from caseflow.models import Case, Document, DocumentCounter, User
from caseflow.services import documents as service
from caseflow.services.calendar import get_calendar
from caseflow.services.document_reports import report_issue
from caseflow.services.documents import (
    DocumentIntegrityError,
    document_correct,
    document_issue,
    document_render,
)
from tests import factories
from tests.factories_cases import fire, leader_of, make_case
from tests.unit.document_contexts import RECOMMENDATION

FINDINGS = "村道拓宽工程（合同金额48.6万元）未经村民代表会议讨论，直接委托施工。\n村务公开栏未公开工程预算。"
MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "html": b"<!DOCTYPE html>"}


def notices() -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.kind == "notice").order_by(Document.id)))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def recommendation_context() -> dict:
    return {k: v for k, v in RECOMMENDATION.items() if k not in ("organ", "number", "issued_on")}


# --- the notice and the receipt through real transitions ------------------------------------

def test_issue_notice_freezes_a_numbered_notice_with_a_working_day_deadline(db):
    unit = factories.unit(name="骆驼街道荣吉村村民委员会")
    officer = factories.user(role="officer", display_name="王晓东", phone="0574-86271234")
    with clock.frozen(datetime(2026, 9, 24, 10, 0)):
        case = make_case(unit=unit, state="notice_issued", officer=officer, findings=FINDINGS, rectify_workdays=15)
    [notice] = notices()
    ctx = notice.context
    assert notice.number == ctx["number"] == "镇纪预告〔2026〕1号"
    assert (notice.case_id, notice.unit_id, notice.year, notice.version) == (case.id, unit.id, 2026, 1)
    assert ctx["unit_name"] == "骆驼街道荣吉村村民委员会" and ctx["findings"] == FINDINGS
    assert ctx["severity_label"] == "一般" and ctx["rectify_workdays"] == 15
    assert ctx["issued_on"] == "2026-09-24" and ctx["ack_due"] == case.ack_due.isoformat()
    # 15 working days from 24 September 2026 skip the National Day week
    assert ctx["rectify_due"] == get_calendar().add_workdays(datetime(2026, 9, 24).date(), 15).isoformat()
    assert "王晓东" in ctx["contact"] and "0574-86271234" in ctx["contact"]
    assert notice.sha256 == service.document_hash("notice", ctx)


def test_numbers_run_per_year_without_gaps(db):
    officer = factories.user(role="officer")
    with clock.frozen(datetime(2026, 12, 30, 9, 0)):
        make_case(state="notice_issued", officer=officer)
        make_case(state="notice_issued", officer=officer)
    with clock.frozen(datetime(2027, 1, 4, 9, 0)):
        make_case(state="notice_issued", officer=officer)
    assert [n.number for n in notices()] == ["镇纪预告〔2026〕1号", "镇纪预告〔2026〕2号", "镇纪预告〔2027〕1号"]


def test_a_rolled_back_transition_gives_its_number_back(db, monkeypatch):
    officer = factories.user(role="officer")
    case = make_case(officer=officer)

    def broken(ctx):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("caseflow.notifications.on_transition", broken)
    with pytest.raises(CaseflowError):
        fire(case, "issue_notice", officer)
    monkeypatch.undo()
    db.session.expire_all()
    assert notices() == [] and db.session.get(Case, case.id).state == "detected"
    fire(db.session.get(Case, case.id), "issue_notice", officer)
    year = clock.today().year
    assert [n.number for n in notices()] == [f"镇纪预告〔{year}〕1号"]


def test_acknowledge_in_the_system_fills_the_receipt(db):
    case = make_case(state="notice_issued")
    leader = leader_of(case.unit)
    with clock.frozen(datetime(2026, 9, 25, 10, 32)):
        fire(case, "acknowledge", leader, method="system")
    receipt = db.session.scalar(select(Document).where(Document.kind == "receipt"))
    ctx = receipt.context
    assert receipt.number is None and receipt.case_id == case.id and receipt.unit_id == case.unit_id
    assert ctx["number"] == notices()[0].number
    assert ctx["method_label"] == "系统送达" and leader.display_name in ctx["received_by"]
    assert ctx["delivered_at"] == "2026-09-25 10:32"
    due = db.session.get(Case, case.id).rectify_due
    assert f"{due.year}年{due.month}月{due.day}日" in ctx["note"]


def test_paper_delivery_records_the_scanned_receipt(db):
    case = make_case(state="notice_issued")
    officer = db.session.get(User, case.handler_id)
    fire(case, "acknowledge", officer, method="paper", delivered_at="2026-09-25T09:00:00")
    receipt = db.session.scalar(select(Document).where(Document.kind == "receipt"))
    assert receipt.context["method_label"] == "纸质送达"
    assert receipt.context["delivered_at"].startswith("2026-09-25 09:00")


# --- every kind, every format, through the service ------------------------------------------

def test_every_kind_renders_in_every_format(db):
    officer = factories.user(role="officer")
    make_case(state="rectifying", officer=officer, findings=FINDINGS)
    unit = factories.unit(name="区住房和城乡建设局", kind="agency")
    document_issue(kind="recommendation", unit=unit, year=2026, context=recommendation_context(), actor=None)
    db.session.commit()
    report_issue(kind="quarterly_report", year=2026, quarter=3, actor=officer)
    report_issue(kind="halfyear_review", year=2026, half=1, actor=officer)
    rows = list(db.session.scalars(select(Document).order_by(Document.id)))
    assert sorted(r.kind for r in rows) == sorted(["notice", "receipt", "recommendation", "quarterly_report",
                                                   "halfyear_review"])
    for row in rows:
        for fmt, magic in MAGIC.items():
            assert document_render(row, fmt).startswith(magic), (row.kind, fmt)


def test_notice_pdf_text_extracts_as_the_same_chinese(db):
    unit = factories.unit(name="骆驼街道荣吉村村民委员会")
    make_case(unit=unit, state="notice_issued", findings=FINDINGS)
    [notice] = notices()
    text = pdf_text(document_render(notice, "pdf")).replace("\n", "")
    assert "预警告知书" in text and "骆驼街道荣吉村村民委员会" in text and notice.number in text
    assert "未经村民代表会议讨论" in text and "中共宁波市镇海区纪律检查委员会" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_notice_first_page_rasterises_to_a_red_headed_page(db, tmp_path):
    make_case(state="notice_issued", findings=FINDINGS)
    (tmp_path / "n.pdf").write_bytes(document_render(notices()[0], "pdf"))
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(tmp_path / "n.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24)
    inked = sum(n for n, (r, g, b) in colours if r + g + b < 384)
    red = sum(n for n, (r, g, b) in colours if r > 180 and g < 80 and b < 80)
    assert inked > 1000 and red > 200  # body text, and the red organ name and separator line


def test_recommendation_keeps_the_callers_keyword_signature(db):
    unit = factories.unit(name="区住房和城乡建设局")
    supervisor = factories.user(role="supervisor")
    with clock.frozen(datetime(2027, 1, 20, 9, 0)):
        row = document_issue(kind="recommendation", unit=unit, year=2026, context=recommendation_context(),
                             actor=supervisor)
        db.session.commit()
    assert row.number == "镇纪预建〔2027〕1号" and row.period == "2026" and row.unit_id == unit.id
    assert row.context["year"] == 2026 and row.context["issued_on"] == "2027-01-20"
    assert "区住房和城乡建设局" in row.title


def test_a_context_the_template_cannot_fill_fails_at_issue(db):
    with pytest.raises(InvalidField):
        document_issue(kind="recommendation", unit=factories.unit(), year=2026, context={"grade": "A"}, actor=None)


# --- integrity and corrections ------------------------------------------------------------------

def test_a_tampered_context_or_template_is_refused(db, monkeypatch):
    make_case(state="notice_issued")
    notice = notices()[0]
    assert document_render(notice, "html").startswith(MAGIC["html"])
    monkeypatch.setattr(service, "template_digest", lambda kind: "edited-template")
    with pytest.raises(DocumentIntegrityError):
        document_render(notice, "html")
    monkeypatch.undo()
    context = dict(notice.context, findings="悄悄改过的问题")
    db.session.execute(update(Document).where(Document.id == notice.id).values(context=context))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DocumentIntegrityError):
        document_render(db.session.get(Document, notice.id), "pdf")


def test_a_correction_is_a_new_version_with_a_reason_under_the_same_number(db):
    make_case(state="notice_issued")
    old = notices()[0]
    officer = factories.user(role="officer")
    with pytest.raises(InvalidField):
        document_correct(document=old, context_changes={"findings": "更正后的问题"}, reason=" ", actor=officer)
    with pytest.raises(InvalidField):
        document_correct(document=old, context_changes={"number": "镇纪预告〔2026〕99号"}, reason="x", actor=officer)
    new = document_correct(document=old, context_changes={"findings": "更正后的问题"}, reason="笔误更正",
                           actor=officer)
    assert (new.number, new.version, new.supersedes_id, new.correction_reason) == (old.number, 2, old.id, "笔误更正")
    assert "更正后的问题" in pdf_text(document_render(new, "pdf"))
    assert b"\xe6\x9b\xb4\xe6\xad\xa3" not in document_render(old, "html")  # 更正: the old text stays as issued
    assert old.context["findings"] in document_render(old, "html").decode()
    with pytest.raises(Conflict):
        document_correct(document=old, context_changes={"findings": "再改"}, reason="again", actor=officer)


def test_reports_are_numbered_once_per_period_and_reissued_only_with_a_reason(db):
    officer = factories.user(role="officer")
    with clock.frozen(datetime(2026, 10, 12, 9, 0)):
        first = report_issue(kind="quarterly_report", year=2026, quarter=3, actor=officer)
        with pytest.raises(Conflict):
            report_issue(kind="quarterly_report", year=2026, quarter=3, actor=officer)
    assert (first.number, first.period) == ("镇纪预析〔2026〕1号", "2026Q3")
    assert first.context["period_label"] == "2026年第三季度"
    make_case(state="notice_issued")
    with clock.frozen(datetime(2026, 10, 20, 9, 0)):
        second = report_issue(kind="quarterly_report", year=2026, quarter=3, actor=officer, reason="补充新数据")
    assert (second.number, second.version, second.supersedes_id) == (first.number, 2, first.id)
    review = report_issue(kind="halfyear_review", year=2026, half=1, actor=officer)
    assert review.number.startswith("镇纪预研") and review.context["period_label"] == "2026年上半年"
    with pytest.raises(CaseflowError):
        report_issue(kind="quarterly_report", year=2026, quarter=3, actor=factories.user(role="auditor"))


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------

def test_concurrent_notices_get_distinct_gap_free_numbers(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent issuing needs PostgreSQL row locks (SQLite serialises writers)")
    officer = factories.user(role="officer")
    # One notice first, so the year's scoring scheme exists before the race (the ledger creates it lazily).
    make_case(officer=officer, state="notice_issued")
    case_ids = [make_case(officer=officer).id for _ in range(8)]
    officer_id = officer.id
    barrier = threading.Barrier(len(case_ids))
    errors: list[BaseException] = []

    def issue(case_id: int) -> None:
        with app.app_context():
            try:
                case = db.session.get(Case, case_id)
                actor = db.session.get(User, officer_id)
                barrier.wait(timeout=30)
                fire(case, "issue_notice", actor)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(cid,)) for cid in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [], [repr(getattr(e, '__cause__', e))[:600] for e in errors[:2]]
    db.session.expire_all()
    year = clock.today().year
    numbers = sorted(n.number for n in notices())
    assert numbers == sorted(f"镇纪预告〔{year}〕{n}号" for n in range(1, 10))
    assert db.session.scalar(select(func.max(DocumentCounter.last))
                          .where(DocumentCounter.year == year, DocumentCounter.prefix == "镇纪预告")) == 9


def test_demo_reports_cover_the_last_complete_quarter_and_half_year():
    assert last_periods(datetime(2026, 11, 27).date()) == ((2026, 3), (2026, 1))
    assert last_periods(datetime(2026, 2, 1).date()) == ((2025, 4), (2025, 2))
