"""The users' journeys in Chromium, in zh_CN (the monitor's also in English).

Each journey creates what it needs (through the UI, or through the API for the steps another
role would take) and saves screenshots of its main screens under screenshots/<journey>/.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.conftest import PHONE
from tests.browser.helpers import (
    case_id_from,
    fill_fields,
    fire,
    flash_text,
    login,
    png_bytes,
    select_first,
    shot,
    submit,
)

pytestmark = pytest.mark.browser
WORKDAYS = re.compile(r"\d+\s*个工作日|\d+ working days?")


def _tag() -> str:
    return uuid.uuid4().hex[:6]


def _leader_unit(server) -> int:
    return server.query("SELECT unit_id FROM user WHERE username = 'leader'")[0][0]


def _api_case(server, unit_id: int, title: str, *, notice: bool = True) -> int:
    """Officer work done through the API: a signal, a case from it, optionally its notice."""
    tok = server.token("officer")
    sig = server.api("POST", "/api/v1/signals", token=tok, json_body={
        "channel": "other", "source_details": {"source_note": "浏览器测试"}, "unit_id": unit_id, "discovered_on": "2026-11-23",
        "category": "finance",
        "summary": title, "details": "浏览器测试准备的数据。"})
    res = server.api("POST", f"/api/v1/signals/{sig['id']}/triage", token=tok,
                     json_body={"action": "open_case", "title": title, "severity": "moderate"})
    case_id = res["case_id"]
    if notice:
        _api_fire(server, tok, case_id, "issue_notice", severity="moderate", findings="村务公开不及时，账目未按月公示。",
                  requirements="十个工作日内补齐公示并建立台账。", rectify_workdays=20)
    return case_id


def _api_fire(server, token: str, case_id: int, trigger: str, **fields) -> dict:
    version = server.api("GET", f"/api/v1/cases/{case_id}", token=token)["version"]
    return server.api("POST", f"/api/v1/cases/{case_id}/transitions", token=token,
                      json_body={"trigger": trigger, "version": version, **fields})


def _state_of(page) -> str:
    return page.locator(".page-head .state").get_attribute("class")


# --------------------------------------------------------------------------- case officer
def test_officer_journey(new_page, server):
    j, tag = "officer", _tag()
    unit_id = _leader_unit(server)
    page = new_page()
    login(page, "officer")
    shot(page, j, "home")

    # A hotline call recorded as a new signal.
    page.goto("/intake/record")
    form = page.locator("main form").first
    fill_fields(page, form, {"channel": "citizen_hotline", "category": "finance", "discovered_on": "2026-11-24",
                             "unit_id": unit_id, "summary": f"村账目未按月公示（{tag}）",
                             "details": "群众来电反映：村集体账目连续三个月未公示。"})
    if form.locator("[name=call_time]").is_visible():
        form.locator("[name=call_time]").fill("2026-11-24T15:20")
    shot(page, j, "record-signal")
    submit(page, form)
    assert re.search(r"/signals/\d+$", page.url), flash_text(page)
    signal_url = page.url

    # Triage: assign, get the handling deadline, open a case.
    page.goto("/signals/?queue=new")
    assert page.get_by_text(f"村账目未按月公示（{tag}）").count() >= 1
    shot(page, j, "triage-queue")
    page.goto(signal_url)
    assign = page.locator("form[action$='/assign']")
    assign.locator("[name='assign-department']").fill("第一纪检监察室")
    select_first(assign.locator("[name='assign-handler_id']"))
    submit(page, assign)
    assert page.locator(".flash-success").count(), flash_text(page)
    shot(page, j, "signal-assigned")
    opener = page.locator("form[action$='/triage/open_case']")
    fill_fields(page, opener, {"open-title": f"村账目公示问题（{tag}）", "open-severity": "moderate"})
    submit(page, opener)
    assert page.locator(".flash-success").count(), flash_text(page)
    page.locator("main a[href*='/cases/']").first.click()
    page.wait_for_load_state()
    case_id = case_id_from(page.url)
    assert "s-detected" in _state_of(page)
    shot(page, j, "case-detected")

    # The warning notice, its PDF and the deadline in working days.
    fire(page, "issue_notice", severity="moderate", findings="村集体账目连续三个月未按规定公示。",
         requirements="补齐公示，建立按月公示台账，并报送整改报告。", rectify_workdays=20)
    assert "s-notice_issued" in _state_of(page)
    deadlines = page.locator("ul.deadlines").inner_text()
    assert WORKDAYS.search(deadlines), deadlines
    pdf_link = page.locator("aside a", has_text="PDF").first
    with page.expect_download() as info:
        pdf_link.evaluate("a => { a.setAttribute('download', ''); }")
        pdf_link.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    shot(page, j, "notice-issued")

    # Later: the unit leader acknowledges and reports (their part, through the API) …
    lead = server.token("leader")
    _api_fire(server, lead, case_id, "acknowledge")
    att = server.upload(f"/api/v1/cases/{case_id}/attachments", lead, "evidence.png", png_bytes(), "image/png")
    _api_fire(server, lead, case_id, "submit_report", report="已补齐公示并建立台账。", attachment_ids=[att["id"]])
    # … and the officer verifies and closes the case.
    page.reload()
    assert "s-verifying" in _state_of(page)
    shot(page, j, "report-to-verify")
    fire(page, "accept", note="现场核查：公示栏已更新，台账齐全。")
    assert "s-closed" in _state_of(page)
    shot(page, j, "case-closed")

    # An overdue case in the work queue.
    page.goto("/cases/?tab=overdue")
    overdue = page.locator("table.table tbody tr.overdue, table.table tbody tr:has(.badge.c-red)")
    assert overdue.count() >= 1, "no overdue case in the officer's queue"
    assert WORKDAYS.search(overdue.first.inner_text())
    shot(page, j, "queue-overdue")
    assert not page.errors, page.errors


# --------------------------------------------------------------------------- unit leader
def test_unit_leader_journey(new_page, server):
    j, tag = "leader", _tag()
    unit_id = _leader_unit(server)
    case_id = _api_case(server, unit_id, f"村务公开不及时（{tag}）")
    page = new_page()
    login(page, "leader")
    assert page.get_by_text(f"村务公开不及时（{tag}）").count() >= 1, "the new notice is not on the leader's home"
    shot(page, j, "home-new-notice")

    page.goto(f"/cases/{case_id}")
    assert "s-notice_issued" in _state_of(page)
    shot(page, j, "notice")
    fire(page, "acknowledge")
    assert "s-rectifying" in _state_of(page)
    assert WORKDAYS.search(page.locator("ul.deadlines").inner_text())
    shot(page, j, "acknowledged")

    form = page.locator("form[action$='/fire/submit_report']")
    page.locator("details.action", has=form).locator("summary").click()
    fill_fields(page, form, {"submit_report-report": "已在公示栏补齐近三个月账目，并建立按月公示台账。",
                             "submit_report-evidence": {"name": "公示照片.png", "mimeType": "image/png",
                                                        "buffer": png_bytes()}})
    shot(page, j, "report-form")
    submit(page, form)
    assert not page.locator(".flash-error").count(), flash_text(page)
    assert "s-verifying" in _state_of(page)
    assert page.locator("aside .attachments a", has_text="公示照片").count() == 1
    shot(page, j, "verifying")

    page.goto(f"/units/{unit_id}")
    shot(page, j, "unit-page")
    page.goto(f"/units/{unit_id}/index")
    assert page.locator("#entries").count() == 1
    shot(page, j, "index-breakdown")
    what_if = page.locator("form:has(select[name=outcome])")
    assert what_if.count() == 1, "no what-if on the index page"
    what_if.locator("select[name=outcome]").select_option("escalate")
    submit(page, what_if)
    assert page.locator("#what-if-result").count() == 1
    shot(page, j, "what-if")
    assert not page.errors, page.errors


# --------------------------------------------------------------------------- supervisor
def test_supervisor_journey(new_page, server):
    j, tag = "supervisor", _tag()
    # An escalation: a notice nobody acknowledged, escalated by the officer.
    unit_id = server.query("SELECT id FROM unit WHERE kind = 'village' ORDER BY id LIMIT 1 OFFSET 5")[0][0]
    case_id = _api_case(server, unit_id, f"征地补偿款发放不透明（{tag}）")
    _api_fire(server, server.token("officer"), case_id, "escalate", reason="manual", note="多次督促未签收。")

    page = new_page()
    login(page, "supervisor")
    shot(page, j, "home")
    page.goto("/cases/")
    shot(page, j, "escalations")
    page.goto(f"/cases/{case_id}")
    assert "s-escalated" in _state_of(page)
    fire(page, "order_talk", kind="integrity_talk", with_whom="村党支部书记", scheduled_on="2026-11-27")
    assert "s-talk" in _state_of(page)
    shot(page, j, "talk-ordered")
    fire(page, "record_talk", minutes="谈话指出问题，书记表态一个月内整改到位。", rectify_workdays=20)
    assert "s-rectifying" in _state_of(page)
    shot(page, j, "talk-recorded")

    # The year's grades: compute (preview), a second supervisor approves, publish.
    year = 2025
    page.goto(f"/grades?year={year}")
    shot(page, j, "grades-draft")
    compute = page.locator(f"form[action$='/grades/{year}/compute']")
    if compute.count():
        submit(page, compute)
        assert not page.locator(".flash-error").count(), flash_text(page)
    assert page.locator(f"form[action$='/grades/{year}/approve'] button").is_disabled()
    shot(page, j, "grades-computed")
    second = new_page()
    login(second, "supervisor2")
    second.goto(f"/grades?year={year}")
    submit(second, second.locator(f"form[action$='/grades/{year}/approve']"))
    assert not second.locator(".flash-error").count(), flash_text(second)
    shot(second, j, "grades-approved-by-second")
    page.goto(f"/grades?year={year}")
    asked = []  # publishing freezes the year: the browser asks first
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    submit(page, page.locator(f"form[action$='/grades/{year}/publish']"))
    assert asked and str(year) in asked[0], asked
    assert not page.locator(".flash-error").count(), flash_text(page)
    shot(page, j, "grades-published")

    # The C-grade consequence: an annual case, opened directly in escalated.
    page.goto(f"/grades?year={year}&grade=C")
    c_rows = page.locator("#grades tbody tr:has(strong)")
    assert c_rows.count() >= 1, "no C grade in the published year"
    c_link = c_rows.first.locator("a").first
    c_unit = c_link.inner_text().strip()
    c_unit_id = re.search(r"/units/(\d+)", c_link.get_attribute("href")).group(1)
    shot(page, j, "grades-c")
    page.goto(f"/cases/?tab=all&state=escalated&unit={c_unit_id}")
    row = page.locator("table.table tbody tr", has_text=c_unit)
    assert row.count() >= 1, f"no escalated case for the C-grade unit {c_unit}"
    row.first.locator("a").first.click()
    page.wait_for_load_state()
    assert "s-escalated" in _state_of(page)
    shot(page, j, "c-grade-case")

    public = new_page()
    public.goto(f"/public/grades?year={year}")
    shot(public, j, "public-board")
    public.locator("form.filters [name=q]").fill(c_unit)
    submit(public, public.locator("form.filters"))
    assert public.locator("main table", has_text=c_unit).count() >= 1, f"{c_unit} not on the public board"
    shot(public, j, "public-board-c-unit")
    assert not page.errors, page.errors


# --------------------------------------------------------------------------- monitor
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_monitor_rapid_report(new_page, server, lang):
    j, tag = f"monitor-{lang}", _tag()
    page = new_page(viewport=PHONE)
    page.goto("/login")
    shot(page, j, "login")
    login(page, "monitor")
    if lang == "en":  # the language switch in the header (remembered for the account)
        with page.expect_navigation():
            page.locator("button[name=lang][value=en]").click()
        assert page.locator("html").get_attribute("lang") == "en"
    shot(page, j, "home")
    page.goto("/intake/rapid")
    form = page.locator("main form").first
    select_first(form.locator("[name=unit_id]"))
    select_first(form.locator("[name=category]"))
    summary = f"Canteen bills without receipts ({tag})" if lang == "en" else f"食堂招待费无发票（{tag}）"
    fill_fields(page, form, {"discovered_on": "2026-11-24", "summary": summary, "details": "现场发现，拍照留存。"})
    shot(page, j, "rapid-report")
    submit(page, form)
    assert "/intake/mine" in page.url, flash_text(page)
    assert page.get_by_text(summary).count() >= 1
    # Nothing overflows sideways on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot(page, j, "my-signals")
    if lang == "en":  # back to Chinese, so the demo monitor stays as the other journeys expect
        with page.expect_navigation():
            page.locator("button[name=lang][value=zh_CN]").click()
        assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert not page.errors, page.errors


# --------------------------------------------------------------------------- anonymous reporter
def test_anonymous_complaint_and_reply(new_page, server):
    j, tag = "public", _tag()
    anon = new_page(viewport=PHONE)
    anon.goto("/public/complaint")
    form = anon.locator("main form").first
    fill_fields(anon, form, {"unit_name": f"某村村委会（{tag}）", "details": "村干部在低保评定中优亲厚友。",
                             "contact": "138 0000 0000"})
    select_first(form.locator("[name=category]"))
    shot(anon, j, "complaint-form")
    submit(anon, form)
    receipt = anon.locator("p.receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9-]{16,24}", receipt), receipt
    signal_id, number = server.query("SELECT id, number FROM signal WHERE unit_name_given = ?",
                                     f"某村村委会（{tag}）")[0]
    assert number in anon.locator("main").inner_text()  # the reference number next to the receipt
    shot(anon, j, "receipt")

    officer = new_page()
    login(officer, "officer")
    officer.goto(f"/signals/{signal_id}")
    assert "138 0000 0000" not in officer.locator("main").inner_text()  # protected until asked for
    reply = officer.locator("form[action$='/reply']")
    reply.locator("textarea").fill(f"您反映的问题已受理，正在核查（{tag}）。")
    submit(officer, reply)
    assert officer.locator(".flash-success").count(), flash_text(officer)
    shot(officer, j, "officer-replied")

    anon.goto("/public/complaint/track")
    track = anon.locator("main form").first
    track.locator("[name=receipt]").fill(receipt)
    shot(anon, j, "track")
    submit(anon, track)
    assert anon.get_by_text(f"正在核查（{tag}）").count() == 1, "the reporter does not see the officer's reply"
    assert "138 0000 0000" not in anon.locator("main").inner_text()
    shot(anon, j, "reply-read")
    assert not anon.errors, anon.errors


# --------------------------------------------------------------------------- long operations
def test_a_long_operation_shows_progress_and_is_sent_once(new_page, server):
    """Saving a scheme recomputes the year: the page says so with a progress bar while the server works,
    and a second submission is refused. The test's own listener, after the page's, stops the submission
    from leaving the page, so nothing changes on the server."""
    page = new_page()
    login(page, "admin")
    page.goto("/schemes?year=2026")
    assert page.locator("form[data-busy]").count() == 1
    page.evaluate("""() => { window.sent = 0; window.addEventListener('submit', e => {
        if (!e.defaultPrevented) { window.sent += 1; } e.preventDefault(); }); }""")
    page.locator("form[data-busy] [type=submit]").click()
    state = ("() => { const s = document.querySelector('.busy[role=status]'); "
             "const b = document.querySelector('form[data-busy] [type=submit]'); "
             "return s && {text: s.textContent, bars: s.querySelectorAll('progress').length, disabled: b.disabled, "
             "count: document.querySelectorAll('.busy[role=status]').length, sent: window.sent}; }")
    page.wait_for_function("() => document.querySelector('form[data-busy] [type=submit]').disabled")
    seen = page.evaluate(state)
    assert "重新计算本年度全部单位得分" in seen["text"] and seen["bars"] == 1 and seen["sent"] == 1, seen
    shot(page, "long-operation", "scheme-saving")
    page.evaluate("() => document.querySelector('form[data-busy]').requestSubmit()")  # again, while under way
    seen = page.evaluate(state)
    assert seen["sent"] == 1 and seen["count"] == 1, seen
    assert not page.errors, page.errors
