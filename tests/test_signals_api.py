"""The signals API: create, list with filters, one, assign, triage — shapes, scopes and errors."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from caseflow import clock
from caseflow.models import Case, Signal
from tests import factories
from tests.factories_cases import make_case
from tests.factories_signals import monitor_with_area
from tests.factories_signals import signal as make_signal


def _headers(user):
    from caseflow.services.accounts import token_issue

    return {"Authorization": f"Bearer {token_issue(user=user)}"}


def _rapid_body(unit_id, **overrides):
    body = {"channel": "monitoring_station", "unit_id": unit_id, "discovered_on": clock.today().isoformat(),
            "category": "tendering", "summary": "工程项目化整为零规避招标", "details": "现场看到分包公示"}
    body.update(overrides)
    return body


def test_monitor_creates_a_rapid_report(client, db):
    monitor, units = monitor_with_area()
    response = client.post("/api/v1/signals", json=_rapid_body(units[0].id), headers=_headers(monitor))
    assert response.status_code == 201
    body = response.json
    assert {"id", "late", "handling_due", "number", "status", "channel", "unit_id", "case_id"} <= set(body)
    assert body["late"] is False and body["status"] == "new" and body["handling_due"] > clock.today().isoformat()
    assert "reporter_contact" not in body


def test_monitor_errors_outside_area_future_date_other_channel(client, db):
    monitor, _units = monitor_with_area()
    headers = _headers(monitor)
    outsider = factories.unit()
    outside = client.post("/api/v1/signals", json=_rapid_body(outsider.id), headers=headers)
    assert outside.status_code == 403 and outside.json["error"]["code"] == "forbidden"
    future = (clock.today() + timedelta(days=2)).isoformat()
    _monitor, units = monitor, _units
    response = client.post("/api/v1/signals", json=_rapid_body(units[0].id, discovered_on=future), headers=headers)
    assert response.status_code == 422 and response.json["error"]["field"] == "discovered_on"
    other = client.post("/api/v1/signals", json=_rapid_body(units[0].id, channel="citizen_hotline"), headers=headers)
    assert other.status_code == 403
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_officer_records_a_channel_and_unit_leader_cannot(client, db, api_token):
    unit = factories.unit()
    body = {"channel": "petition_letter", "unit_id": unit.id, "discovered_on": None, "category": "appointments",
            "summary": "干部选拔程序不规范", "details": "来信反映", "source_details": {"letter_number": "信2026-017"}}
    created = client.post("/api/v1/signals", json=body, headers=api_token("officer"))
    assert created.status_code == 201 and created.json["source_details"] == {"letter_number": "信2026-017"}
    missing = client.post("/api/v1/signals", json={**body, "source_details": {}}, headers=api_token("officer"))
    assert missing.status_code == 422 and missing.json["error"]["field"] == "letter_number"
    assert client.post("/api/v1/signals", json=body, headers=api_token("unit_leader")).status_code == 403
    assert client.post("/api/v1/signals", json=body, headers=api_token("auditor")).status_code == 403
    assert client.post("/api/v1/signals", json={**body, "channel": "public_web"},
                       headers=api_token("officer")).status_code == 422


def test_list_filters_pagination_and_scopes(client, db, api_token):
    monitor, units = monitor_with_area()
    mine = client.post("/api/v1/signals", json=_rapid_body(units[0].id), headers=_headers(monitor)).json
    for i in range(4):
        make_signal(category="finance" if i % 2 else "conduct")
    officer = api_token("officer")
    page = client.get("/api/v1/signals?per_page=2&page=2", headers=officer).json
    assert set(page) >= {"items", "total", "page"} and page["total"] == 5 and page["page"] == 2
    assert len(page["items"]) == 2
    assert client.get("/api/v1/signals?category=finance", headers=officer).json["total"] == 2
    assert client.get("/api/v1/signals?channel=monitoring_station", headers=officer).json["total"] == 1
    own = client.get("/api/v1/signals", headers=_headers(monitor)).json
    assert own["total"] == 1 and own["items"][0]["id"] == mine["id"]
    other = make_signal()
    assert client.get(f"/api/v1/signals/{other.id}", headers=_headers(monitor)).status_code == 403
    assert client.get("/api/v1/signals", headers=api_token("unit_leader")).status_code == 403
    assert client.get("/api/v1/signals?queue=bogus", headers=officer).status_code == 422


def test_triage_over_the_api(client, db, api_token):
    unit = factories.unit()
    headers = api_token("officer")
    first, second, third = make_signal(unit=unit), make_signal(unit=unit), make_signal(unit=unit)
    opened = client.post(f"/api/v1/signals/{first.id}/triage", headers=headers,
                         json={"action": "open_case", "title": "财务管理问题", "severity": "minor"})
    assert opened.status_code == 200 and set(opened.json) == {"signal", "case_id"}
    case_id = opened.json["case_id"]
    assert opened.json["signal"]["status"] == "case_opened" and db.session.get(Case, case_id).severity == "minor"
    linked = client.post(f"/api/v1/signals/{second.id}/triage", headers=headers,
                         json={"action": "link", "case_id": case_id})
    assert linked.status_code == 200 and linked.json["case_id"] == case_id
    missing = client.post(f"/api/v1/signals/{third.id}/triage", headers=headers, json={"action": "reject"})
    assert missing.status_code == 422 and missing.json["error"]["field"] == "reason"
    rejected = client.post(f"/api/v1/signals/{third.id}/triage", headers=headers,
                           json={"action": "reject", "reason": "不属于受理范围"})
    assert rejected.json == {"signal": rejected.json["signal"], "case_id": None}
    again = client.post(f"/api/v1/signals/{first.id}/triage", headers=headers, json={"action": "reject",
                                                                                      "reason": "x"})
    assert again.status_code == 409
    other_unit_case = make_case(unit=factories.unit())
    fourth = make_signal(unit=unit)
    wrong = client.post(f"/api/v1/signals/{fourth.id}/triage", headers=headers,
                        json={"action": "link", "case_id": other_unit_case.id})
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "case_id"
    assert client.post(f"/api/v1/signals/{fourth.id}/triage", headers=api_token("auditor"),
                       json={"action": "reject", "reason": "x"}).status_code == 403
    assert client.post("/api/v1/signals/99999/triage", headers=headers,
                       json={"action": "reject", "reason": "x"}).status_code == 404


def test_assign_over_the_api(client, db, api_token):
    handler = factories.user("officer")
    item = make_signal()
    response = client.post(f"/api/v1/signals/{item.id}/assign", headers=api_token("supervisor"),
                           json={"department": "第三纪检监察室", "handler_id": handler.id})
    assert response.status_code == 200 and response.json["officer_id"] == handler.id
    leader = factories.user("unit_leader")
    bad = client.post(f"/api/v1/signals/{item.id}/assign", headers=api_token("supervisor"),
                      json={"department": "x", "handler_id": leader.id})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "handler_id"


def test_openapi_documents_the_signal_routes(client, db):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/signals", "/api/v1/signals/{signal_id}/triage", "/api/v1/public/complaints",
                 "/api/v1/public/complaints/{receipt}"):
        assert path in spec["paths"], path
    assert spec["paths"]["/api/v1/public/complaints"]["post"]["security"] == []
