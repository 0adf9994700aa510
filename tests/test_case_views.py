"""Case screens: work queue tabs and filters, the case page and its actions, role screens, diagram."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from caseflow import clock
from caseflow.models import Case
from tests import factories
from tests.conftest import CSRF_RE
from tests.factories_cases import make_case


def _form_tokens(html: str, trigger: str) -> tuple[str, str]:
    token = CSRF_RE.search(html).group(1)
    match = re.search(rf'id="{trigger}-version" name="{trigger}-version" type="hidden" value="(\d+)"', html) or \
        re.search(rf'name="{trigger}-version"[^>]*value="(\d+)"', html)
    assert match, f"no version field for {trigger}"
    return token, match.group(1)


def _fire(client, case, trigger, **fields):
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    token, version = _form_tokens(html, trigger)
    data = {"csrf_token": token, f"{trigger}-version": fields.pop("version", version)}
    data.update({f"{trigger}-{k}": v for k, v in fields.items()})
    return client.post(f"/cases/{case.id}/fire/{trigger}", data=data, content_type="multipart/form-data")


def test_queue_tabs_for_an_officer(db, login_as):
    client = login_as("officer")
    mine = make_case(state="notice_issued", officer=client.user, title="Alpha-mine")
    other = make_case(state="verifying", title="Bravo-verify")
    late = make_case(state="rectifying", title="Charlie-late", rectify_workdays=1)
    late.rectify_due = clock.today() - timedelta(days=3)
    db.session.commit()
    html = client.get("/cases/").get_data(as_text=True)
    assert "Alpha-mine" in html and "Bravo-verify" not in html
    assert "Bravo-verify" in client.get("/cases/?tab=verifying").get_data(as_text=True)
    overdue = client.get("/cases/?tab=overdue").get_data(as_text=True)
    assert "Charlie-late" in overdue and "Alpha-mine" not in overdue and 'class="badge c-red"' in overdue
    due = client.get("/cases/?tab=due").get_data(as_text=True)
    assert "Alpha-mine" in due and "Charlie-late" not in due
    everything = client.get("/cases/?tab=all&sort=number").get_data(as_text=True)
    assert all(c.number in everything for c in (mine, other, late))
    assert "Bravo-verify" in client.get("/cases/?tab=all&state=verifying").get_data(as_text=True)
    assert "Alpha-mine" not in client.get(f"/cases/?tab=all&unit={other.unit_id}").get_data(as_text=True)
    assert "Alpha-mine" not in client.get("/cases/?tab=all&severity=serious").get_data(as_text=True)
    assert client.get("/cases/?tab=bogus&page=zz&state=nope").status_code == 200


def test_queue_paginates(db, login_as):
    client = login_as("auditor")
    unit = factories.unit()
    numbers = {make_case(unit=unit).number for _ in range(3)}
    first = client.get("/cases/?per_page=2&sort=number").get_data(as_text=True)
    second = client.get("/cases/?per_page=2&sort=number&page=2").get_data(as_text=True)
    on_first = {n for n in numbers if n in first}
    on_second = {n for n in numbers if n in second}
    assert len(on_first) == 2 and len(on_second) == 1 and on_first | on_second == numbers
    assert "page=2" in first


def test_case_page_shows_only_allowed_actions(db, login_as):
    case = make_case(state="notice_issued")
    officer = login_as("officer")
    html = officer.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/fire/acknowledge" in html and f"/cases/{case.id}/fire/escalate" in html
    assert "/fire/accept" not in html and "/fire/order_talk" not in html
    assert 'name="acknowledge-version"' in html and case.number in html
    assert f"/cases/{case.id}/diagram.svg" in html
    leader = login_as("unit_leader", unit=case.unit)
    html = leader.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "/fire/acknowledge" in html and "/fire/escalate" not in html
    auditor = login_as("auditor")
    assert "/fire/" not in auditor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert login_as("unit_leader").get(f"/cases/{case.id}").status_code == 403
    assert login_as("monitor").get(f"/cases/{case.id}").status_code == 403
    assert login_as("monitor").get("/cases/").status_code == 403


def test_officer_issues_a_notice_and_a_stale_form_changes_nothing(db, login_as):
    case = make_case(state="detected")
    officer = login_as("officer")
    html = officer.get(f"/cases/{case.id}").get_data(as_text=True)
    token, version = _form_tokens(html, "issue_notice")
    response = officer.post(f"/cases/{case.id}/fire/issue_notice", data={
        "csrf_token": token, "issue_notice-version": version, "issue_notice-severity": "serious",
        "issue_notice-findings": "账外资金", "issue_notice-requirements": "收归账内", "issue_notice-rectify_workdays": "15"})
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.state, case.severity, case.rectify_workdays) == ("notice_issued", "serious", 15)
    # The same (now stale) form again: a conflict message, nothing changes.
    response = officer.post(f"/cases/{case.id}/fire/escalate", data={
        "csrf_token": token, "escalate-version": version, "escalate-reason": "manual"})
    assert response.status_code == 409
    assert "changed this record" in response.get_data(as_text=True) or "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "notice_issued"


def test_bad_field_is_shown_on_the_form(db, login_as):
    case = make_case(state="detected")
    officer = login_as("officer")
    response = _fire(officer, case, "issue_notice", severity="minor", findings="x", requirements="",
                     rectify_workdays="5")
    assert response.status_code == 422
    assert 'id="issue_notice-requirements-err"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "detected"


def test_unit_leader_acknowledges_and_reports_with_evidence(db, login_as):
    case = make_case(state="notice_issued")
    leader = login_as("unit_leader", unit=case.unit)
    open_notices = leader.get("/cases/").get_data(as_text=True)
    assert case.number in open_notices
    assert _fire(leader, case, "acknowledge").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "rectifying"
    response = _fire(leader, case, "submit_report", report="已整改完毕",
                     evidence=(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "整改报告.pdf"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "verifying"
    html = leader.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "整改报告.pdf" in html and "SHA-256" in html
    assert case.number in leader.get("/cases/?tab=all").get_data(as_text=True)


def test_supervisor_decides_escalations(db, login_as):
    case = make_case(state="escalated")
    supervisor = login_as("supervisor")
    assert case.number in supervisor.get("/cases/").get_data(as_text=True)  # awaiting decision tab
    html = supervisor.get(f"/cases/{case.id}").get_data(as_text=True)
    for trigger in ("order_talk", "order_inquiry", "refer"):
        assert f"/fire/{trigger}" in html
    assert _fire(supervisor, case, "order_inquiry", kind="questioning", whom="班子成员",
                 working_group="第一工作组").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "inquiry"
    assert _fire(supervisor, case, "record_inquiry", minutes="已质询", rectify_workdays="10").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "rectifying"


def test_each_event_names_its_own_fields_and_the_sweep_note_is_in_the_readers_language(db, login_as):
    from datetime import datetime, time

    from caseflow.services.sweep import sweep_run

    case = make_case(state="rectifying", rectify_workdays=3)
    due = case.rectify_due
    with clock.frozen(datetime.combine(due + timedelta(days=1), time(9), tzinfo=clock.CST)):
        assert sweep_run().escalated == [case.number]
    client = login_as("supervisor")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    escalation = html[html.index("<strong>升级处理</strong>"):]
    assert "<dt>升级原因</dt><dd>逾期未整改</dd>" in escalation
    assert f"<dd>整改期限 {due.isoformat()} 已过</dd>" in escalation
    assert "重新整改理由" not in html and " due " not in html
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"rectification was due {due.isoformat()}" in html


def test_timeline_and_deadlines_on_the_case_page(db, login_as):
    case = make_case(state="rectifying")
    html = login_as("officer").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "working days left" in html or "工作日" in html
    assert "Deadline history" in html or "期限" in html
    assert html.count('class="timeline"') == 1 and "#3" in html


def test_officer_opens_a_case_by_hand(db, login_as):
    unit = factories.unit()
    officer = login_as("officer")
    token = CSRF_RE.search(officer.get("/cases/").get_data(as_text=True)).group(1)
    response = officer.post("/cases/new", data={"csrf_token": token, "open-unit_id": unit.id, "open-title": "公车私用",
                                                "open-category": "conduct", "open-severity": "minor"})
    assert response.status_code == 302
    case = db.session.query(Case).one()
    assert (case.unit_id, case.origin, case.state, case.handler_id) == (unit.id, "manual", "detected", officer.user.id)
    leader = login_as("unit_leader", unit=unit)
    assert leader.post("/cases/new", data={"csrf_token": token}).status_code in (400, 403)


def test_state_diagram(db, login_as):
    case = make_case(state="talk")
    client = login_as("auditor")
    assert client.get("/cases/diagram").status_code == 200
    svg = client.get(f"/cases/{case.id}/diagram.svg")
    assert svg.mimetype == "image/svg+xml"
    assert 'class="state current" data-state="talk"' in svg.get_data(as_text=True)
    assert 'class="state current"' not in client.get("/cases/diagram.svg").get_data(as_text=True)
    assert login_as("unit_leader").get(f"/cases/{case.id}/diagram.svg").status_code == 403


def test_many_units_a_unit_search_field_instead_of_selects(db, login_as, monkeypatch):
    """Past SELECT_MAX units the filter and the open form take a code or name, checked on the server."""
    monkeypatch.setattr("caseflow.selectors.units.SELECT_MAX", 1)
    east, west = factories.unit(code="V9001", name="东湖村"), factories.unit(code="V9002", name="西山村")
    closed = factories.unit(code="V9003", name="旧村", active=False)
    in_east, in_west = make_case(unit=east, state="rectifying"), make_case(unit=west, state="rectifying")
    officer = login_as("officer", locale="en")
    html = officer.get("/cases/?tab=all").get_data(as_text=True)
    assert 'name="unit_q"' in html and 'name="open-unit_code"' in html
    assert '<select name="unit"' not in html and 'name="open-unit_id"' not in html

    def numbers(url):
        return officer.get(url).get_data(as_text=True).split("<tbody>")[1]

    body = numbers("/cases/?tab=all&unit_q=V9001")
    assert in_east.number in body and in_west.number not in body
    body = numbers("/cases/?tab=all&unit_q=西山")
    assert in_west.number in body and in_east.number not in body
    by_id = officer.get(f"/cases/?tab=all&unit={west.id}").get_data(as_text=True)  # links keep working
    assert 'value="V9002"' in by_id and in_east.number not in by_id.split("<tbody>")[1]

    token = CSRF_RE.search(html).group(1)
    form = {"csrf_token": token, "open-title": "公车私用", "open-category": "conduct", "open-severity": "minor"}
    for bad in ("V0000", closed.code, "村"):  # unknown, inactive, not a whole name
        response = officer.post("/cases/new", data={**form, "open-unit_code": bad}, follow_redirects=True)
        assert "No active unit has this code or name." in response.get_data(as_text=True)
    assert db.session.query(Case).count() == 2
    assert officer.post("/cases/new", data={**form, "open-unit_code": "西山村"}).status_code == 302
    assert officer.post("/cases/new", data={**form, "open-unit_code": " V9001 "}).status_code == 302
    assert sorted(c.unit_id for c in db.session.query(Case).filter(Case.origin == "manual")) == sorted([west.id, east.id])


def test_few_units_keep_the_select_and_its_checks(db, login_as):
    unit, closed = factories.unit(), factories.unit(active=False)
    officer = login_as("officer", locale="en")
    html = officer.get("/cases/").get_data(as_text=True)
    assert 'name="open-unit_id"' in html and 'name="open-unit_code"' not in html
    token = CSRF_RE.search(html).group(1)
    form = {"csrf_token": token, "open-title": "公车私用", "open-category": "conduct"}
    response = officer.post("/cases/new", data={**form, "open-unit_id": closed.id}, follow_redirects=True)
    assert "Please check the form." in response.get_data(as_text=True)
    response = officer.post("/cases/new", data=form, follow_redirects=True)
    assert "Choose a unit." in response.get_data(as_text=True)
    assert db.session.query(Case).count() == 0
    assert officer.post("/cases/new", data={**form, "open-unit_id": unit.id}).status_code == 302
