"""Triage (阅办): the queue, assignment with a handling deadline, open a case, link, reject, duplicates."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from caseflow import clock
from caseflow.errors import Conflict, InvalidField
from caseflow.models import Case, Signal
from caseflow.selectors.duplicates import duplicate_suggestions
from caseflow.selectors.signals import triage_counts
from caseflow.services.signals import signal_assign, signal_file_rapid, signal_triage
from tests import factories
from tests.conftest import csrf_token
from tests.factories_cases import make_case
from tests.factories_signals import monitor_with_area
from tests.factories_signals import signal as make_signal


def test_monitor_report_reaches_the_queue_and_becomes_a_case(app, db, login_as):
    monitor, units = monitor_with_area()
    report = signal_file_rapid(monitor=monitor, unit=units[0], category="three_assets",
                               discovered_on=clock.today(), summary="资源发包价格明显偏低", details="")
    officer = login_as("officer", department="第一纪检监察室")
    queue = officer.get("/signals/?queue=new").get_data(as_text=True)
    assert report.number in queue
    token = csrf_token(officer, f"/signals/{report.id}")
    assigned = officer.post(f"/signals/{report.id}/assign", data={
        "assign-department": "第一纪检监察室", "assign-handler_id": str(officer.user.id), "assign-csrf_token": token})
    assert assigned.status_code == 302
    assert report.number in officer.get("/signals/?queue=mine").get_data(as_text=True)
    opened = officer.post(f"/signals/{report.id}/triage/open_case", data={
        "open-title": "资源发包价格偏低问题", "open-unit_id": str(units[0].id), "open-category": "three_assets",
        "open-severity": "moderate", "open-csrf_token": token})
    assert opened.status_code == 302
    db.session.refresh(report)
    case = db.session.get(Case, report.case_id)
    assert report.status == "case_opened" and case.unit_id == units[0].id and case.title == "资源发包价格偏低问题"
    assert case.origin == "signal" and case.state == "detected"
    assert report.triaged_by_id == officer.user.id
    assert report.number not in officer.get("/signals/?queue=new").get_data(as_text=True)


def test_hotline_call_is_linked_to_an_open_case_of_its_unit(app, db, login_as):
    officer = login_as("officer")
    unit = factories.unit()
    case = make_case(unit=unit, state="rectifying")
    call = make_signal(unit=unit, channel="citizen_hotline", summary="村里资金账外运行")
    page = officer.get(f"/signals/{call.id}").get_data(as_text=True)
    assert case.number in page  # suggested as an open case of the same unit
    token = csrf_token(officer, f"/signals/{call.id}")
    response = officer.post(f"/signals/{call.id}/triage/link", data={"link-case_id": str(case.id),
                                                                     "link-csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(call)
    assert (call.status, call.case_id) == ("linked", case.id)
    # One case gathers many signals.
    second = make_signal(unit=unit)
    signal_triage(signal=second, actor=officer.user, action="link", case_id=case.id)
    assert db.session.scalar(select(func.count(Signal.id)).where(Signal.case_id == case.id)) == 2


def test_link_refuses_closed_cases_and_other_units(db):
    officer = factories.user("officer")
    unit = factories.unit()
    other = make_case(unit=factories.unit())
    closed = make_case(unit=unit, state="dismissed")
    item = make_signal(unit=unit)
    for case in (other, closed):
        with pytest.raises(InvalidField) as error:
            signal_triage(signal=item, actor=officer, action="link", case_id=case.id)
        assert error.value.field == "case_id"
    assert db.session.get(Signal, item.id).status == "new"


def test_reject_needs_a_reason_and_triage_twice_is_409(app, db, api_token):
    officer = factories.user("officer")
    item = make_signal()
    with pytest.raises(InvalidField):
        signal_triage(signal=item, actor=officer, action="reject", reason=" ")
    signal_triage(signal=item, actor=officer, action="reject", reason="经初核不属实")
    assert (item.status, item.outcome_reason) == ("rejected", "经初核不属实")
    with pytest.raises(Conflict):
        signal_triage(signal=item, actor=officer, action="open_case", title="再开")
    headers = api_token("officer")
    client = app.test_client()
    again = client.post(f"/api/v1/signals/{item.id}/triage", json={"action": "reject", "reason": "再次"},
                        headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    assert db.session.scalar(select(func.count(Case.id))) == 0


def test_failed_case_open_leaves_the_signal_untriaged(db, monkeypatch):
    import caseflow.services.cases as cases

    officer = factories.user("officer")
    item = make_signal()

    def broken(**kwargs):
        raise InvalidField("boom", field="title")

    monkeypatch.setattr(cases, "case_open", broken)
    with pytest.raises(InvalidField):
        signal_triage(signal=item, actor=officer, action="open_case", title="标题")
    db.session.expire_all()
    assert db.session.get(Signal, item.id).status == "new" and db.session.scalar(select(func.count(Case.id))) == 0


def test_assignment_keeps_the_handling_deadline_and_overdue_shows(app, db, login_as):
    officer = factories.user("officer")
    with clock.frozen(datetime(2026, 3, 2, 10, 0, tzinfo=clock.CST)):
        old = make_signal(summary="拆迁补偿标准执行不一")
    assert old.handling_due == date(2026, 3, 16)
    signal_assign(signal=old, officer=officer, department="第二纪检监察室", handler=officer)
    assert (old.status, old.department, old.handling_due) == ("assigned", "第二纪检监察室", date(2026, 3, 16))
    fresh = make_signal()
    counts = triage_counts(officer)
    assert counts["overdue"] >= 1 and counts["assigned"] == 1 and counts["new"] == 1
    client = login_as("supervisor")
    overdue = client.get("/signals/?queue=overdue").get_data(as_text=True)
    assert old.number in overdue and fresh.number not in overdue


def test_queue_filters_and_pagination(db, login_as):
    client = login_as("officer")
    unit = factories.unit(name="东湖村")
    for i in range(35):
        make_signal(unit=unit, channel="citizen_hotline" if i % 2 else "mailbox", category="finance",
                    source_details={"letter_number": f"信{i}"} if i % 2 == 0 else None)
    def rows(url):
        body = client.get(url).get_data(as_text=True).split("<tbody>")[1].split("</tbody>")[0]
        return len(re.findall(r'<a href="/signals/\d+">LX', body))

    assert rows("/signals/?queue=all&channel=mailbox") == 18
    assert rows("/signals/?queue=all") == 30 and rows("/signals/?queue=all&page=2") == 5
    assert rows("/signals/?queue=all&category=conduct") == 0
    assert "东湖村" in client.get("/signals/?queue=all&unit=东湖").get_data(as_text=True)
    assert "东湖村" not in client.get("/signals/?queue=all&unit=西山").get_data(as_text=True).split("<tbody>")[1]


def test_duplicates_same_unit_category_or_similar_text(db):
    unit = factories.unit(name="前进村")
    base = make_signal(unit=unit, category="finance", summary="前进村大额资金支出未经集体讨论")
    same_cat = make_signal(unit=unit, category="finance", summary="完全不同的事情")
    similar = make_signal(unit=unit, category="conduct", summary="大额资金支出没有经过集体讨论")
    unrelated = make_signal(unit=unit, category="conduct", summary="工作日午间饮酒")
    elsewhere = make_signal(category="finance", summary="大额资金支出未经集体讨论")
    with clock.frozen(clock.now() - timedelta(days=120)):
        too_old = make_signal(unit=unit, category="finance", summary="大额资金支出未经集体讨论")
    found = {s.item.id: s.reasons for s in duplicate_suggestions(base).signals}
    assert "same_category" in found[same_cat.id] and "similar_text" in found[similar.id]
    assert unrelated.id not in found and elsewhere.id not in found and too_old.id not in found
    case = make_case(unit=unit)
    assert [s.item.id for s in duplicate_suggestions(base).cases] == [case.id]


def test_auditor_reads_the_queue_but_cannot_triage(app, db, login_as):
    item = make_signal()
    client = login_as("auditor")
    assert item.number in client.get("/signals/?queue=all").get_data(as_text=True)
    page = client.get(f"/signals/{item.id}").get_data(as_text=True)
    assert "/triage/" not in page
    assert client.post(f"/signals/{item.id}/triage/reject", data={"reject-reason": "x"}).status_code in (400, 403)


def test_unit_leader_and_monitor_cannot_open_the_queue(db, login_as):
    item = make_signal()
    assert login_as("unit_leader").get("/signals/").status_code == 403
    monitor = login_as("monitor")
    assert monitor.get(f"/signals/{item.id}").status_code == 403


def test_concurrent_triage_lets_exactly_one_win(app, db):
    """Two officers triage the same signal at once: one wins, the other gets 409 (PostgreSQL row locks)."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to lose")
    officers = [factories.user("officer") for _ in range(2)]
    item = make_signal()
    barrier, outcomes = threading.Barrier(2), []

    def run(officer_id: int, action: str) -> None:
        with app.app_context():
            from caseflow.models import User

            signal, actor = db.session.get(Signal, item.id), db.session.get(User, officer_id)
            barrier.wait()
            try:
                if action == "reject":
                    signal_triage(signal=signal, actor=actor, action="reject", reason="不属实")
                else:
                    signal_triage(signal=signal, actor=actor, action="open_case", title="并发立案")
                outcomes.append(action)
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(o.id, a)) for o, a in zip(officers, ("reject", "open_case"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes).count("conflict") == 1
    db.session.expire_all()
    final = db.session.get(Signal, item.id)
    cases = db.session.scalar(select(func.count(Case.id)))
    assert (final.status, cases) in (("rejected", 0), ("case_opened", 1))


def test_many_stations_a_station_search_field(db, login_as, monkeypatch):
    monkeypatch.setattr("caseflow.selectors.units.SELECT_MAX", 1)
    north, south = factories.station(code="S9101", name="北岸监测站"), factories.station(code="S9102", name="南岸监测站")
    from_north, from_south = make_signal(station_id=north.id), make_signal(station_id=south.id)
    client = login_as("officer")
    html = client.get("/signals/?queue=all").get_data(as_text=True)
    assert 'name="station"' in html and 'name="station_id"' not in html
    body = client.get("/signals/?queue=all&station=S9101").get_data(as_text=True).split("<tbody>")[1]
    assert from_north.number in body and from_south.number not in body
    body = client.get("/signals/?queue=all&station=南岸").get_data(as_text=True).split("<tbody>")[1]
    assert from_south.number in body and from_north.number not in body
    linked = client.get(f"/signals/?queue=all&station_id={north.id}").get_data(as_text=True)  # station statistics links
    assert 'value="S9101"' in linked and from_south.number not in linked.split("<tbody>")[1]


def test_open_case_from_a_signal_naming_no_unit_by_code_when_units_are_many(db, login_as, monkeypatch):
    monkeypatch.setattr("caseflow.selectors.units.SELECT_MAX", 1)
    east, west = factories.unit(code="V9201", name="东坡村"), factories.unit(code="V9202", name="西坡村")
    report = make_signal(unit_id=None, unit_name_given="某村")
    officer = login_as("officer")
    page = officer.get(f"/signals/{report.id}").get_data(as_text=True)
    assert 'name="open-unit_code"' in page and 'name="open-unit_id"' not in page
    token = csrf_token(officer, f"/signals/{report.id}")
    form = {"open-title": "资源发包价格偏低问题", "open-category": "three_assets", "open-csrf_token": token}
    refused = officer.post(f"/signals/{report.id}/triage/open_case", data={**form, "open-unit_code": "V0000"})
    assert refused.status_code == 422 and db.session.query(Case).count() == 0
    opened = officer.post(f"/signals/{report.id}/triage/open_case", data={**form, "open-unit_code": "西坡村"})
    assert opened.status_code == 302
    assert db.session.query(Case).one().unit_id == west.id != east.id
