"""The case API: list and filters, one case, uploads, transitions with the pinned errors."""
from __future__ import annotations

import io
from datetime import timedelta

from caseflow import clock
from tests import factories
from tests.factories_cases import make_case


def test_list_filters_and_scope(client, db, api_token):
    unit = factories.unit()
    a = make_case(unit=unit, state="notice_issued")
    b = make_case(state="closed")
    make_case(state="detected")
    officer = api_token("officer")
    body = client.get("/api/v1/cases", headers=officer).json
    assert body["total"] == 3 and body["page"] == 1 and {"id", "number", "unit_id", "state", "version"} <= set(body["items"][0])
    assert [i["id"] for i in client.get("/api/v1/cases?state=closed", headers=officer).json["items"]] == [b.id]
    assert [i["id"] for i in client.get(f"/api/v1/cases?unit_id={unit.id}", headers=officer).json["items"]] == [a.id]
    assert client.get("/api/v1/cases?per_page=1&page=2", headers=officer).json["items"][0]["id"] != \
        client.get("/api/v1/cases?per_page=1&page=1", headers=officer).json["items"][0]["id"]
    leader = api_token("unit_leader", unit=unit)
    assert [i["id"] for i in client.get("/api/v1/cases", headers=leader).json["items"]] == [a.id]
    assert client.get("/api/v1/cases", headers=api_token("monitor")).status_code == 403
    assert client.get("/api/v1/cases?state=nonsense", headers=officer).json["error"]["field"] == "state"
    assert client.get("/api/v1/cases").status_code == 401


def test_overdue_filter(client, db, api_token):
    late = make_case(state="notice_issued")
    fresh = make_case(state="notice_issued")
    later = clock.local(clock.now()).replace(hour=9) + timedelta(days=30)
    fresh.ack_due = (later + timedelta(days=10)).date()
    db.session.commit()
    with clock.frozen(later):
        headers = api_token("officer")
        overdue = client.get("/api/v1/cases?overdue=true", headers=headers).json
        not_overdue = client.get("/api/v1/cases?overdue=false", headers=headers).json
    assert [i["id"] for i in overdue["items"]] == [late.id] and overdue["items"][0]["overdue"] is True
    assert [i["id"] for i in not_overdue["items"]] == [fresh.id]


def test_one_case(client, db, api_token):
    case = make_case(state="notice_issued")
    officer = api_token("officer")
    body = client.get(f"/api/v1/cases/{case.id}", headers=officer).json
    assert {"id", "number", "unit_id", "state", "version", "deadlines", "allowed_triggers", "events", "documents"} <= set(body)
    assert body["allowed_triggers"] == ["acknowledge", "escalate"]
    assert [e["trigger"] for e in body["events"]] == ["open", "issue_notice"]
    assert body["deadlines"][0]["kind"] == "acknowledge"
    assert all({"id", "kind", "number"} <= set(d) for d in body["documents"])
    leader = api_token("unit_leader", unit=case.unit)
    assert client.get(f"/api/v1/cases/{case.id}", headers=leader).json["allowed_triggers"] == ["acknowledge"]
    assert client.get(f"/api/v1/cases/{case.id}", headers=api_token("unit_leader")).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}", headers=api_token("auditor")).json["allowed_triggers"] == []
    assert client.get("/api/v1/cases/999999", headers=officer).status_code == 404


def _post(client, case_id, headers, **body):
    return client.post(f"/api/v1/cases/{case_id}/transitions", json=body, headers=headers)


def test_transition_errors_are_pinned(client, db, api_token):
    case = make_case(state="notice_issued")
    officer = api_token("officer")
    version = case.version
    r = _post(client, case.id, officer, trigger="accept", version=version, note="x")
    assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition")
    r = _post(client, case.id, officer, trigger="fly_to_the_moon", version=version)
    assert (r.status_code, r.json["error"]["code"]) == (409, "invalid_transition")
    r = _post(client, case.id, officer, trigger="escalate", version=version - 1, reason="manual")
    assert (r.status_code, r.json["error"]["code"]) == (409, "version_conflict")
    r = _post(client, case.id, api_token("supervisor"), trigger="acknowledge", version=version)
    assert (r.status_code, r.json["error"]["code"]) == (403, "forbidden")
    r = _post(client, case.id, officer, trigger="escalate", version=version, reason="boredom")
    assert (r.status_code, r.json["error"]["code"], r.json["error"]["field"]) == (422, "invalid_field", "reason")
    r = _post(client, case.id, officer, trigger="escalate", reason="manual")
    assert (r.status_code, r.json["error"]["field"]) == (422, "version")
    r = _post(client, case.id, officer, trigger="escalate", version="abc", reason="manual")
    assert (r.status_code, r.json["error"]["field"]) == (422, "version")
    r = client.post(f"/api/v1/cases/{case.id}/transitions", data="not json", headers=officer,
                    content_type="application/json")
    assert r.status_code in (400, 422)
    r = _post(client, case.id, api_token("monitor"), trigger="escalate", version=version, reason="manual")
    assert r.status_code == 403
    db.session.expire_all()
    fresh = db.session.get(type(case), case.id)
    assert (fresh.state, fresh.version) == ("notice_issued", version)


def test_closure_through_the_api(client, db, api_token):
    unit = factories.unit()
    case = make_case(unit=unit, state="detected")
    officer, leader = api_token("officer"), api_token("unit_leader", unit=unit)
    body = _post(client, case.id, officer, trigger="issue_notice", version=case.version, severity="minor",
                 findings="台账不全", requirements="补齐", rectify_workdays=10).json
    assert body["state"] == "notice_issued"
    body = _post(client, case.id, leader, trigger="acknowledge", version=body["version"]).json
    assert body["state"] == "rectifying" and body["deadlines"][0]["kind"] == "rectify"
    up = client.post(f"/api/v1/cases/{case.id}/attachments", headers=leader,
                     data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "report.pdf")}, content_type="multipart/form-data")
    assert up.status_code == 201 and set(up.json) >= {"id", "sha256", "size"}
    r = _post(client, case.id, leader, trigger="submit_report", version=body["version"], report="已整改")
    assert (r.status_code, r.json["error"]["field"]) == (422, "attachment_ids")
    body = _post(client, case.id, leader, trigger="submit_report", version=body["version"], report="已整改",
                 attachment_ids=[up.json["id"]]).json
    assert body["state"] == "verifying"
    body = _post(client, case.id, officer, trigger="accept", version=body["version"], note="到位").json
    assert body["state"] == "closed" and body["events"][-1]["data"]["on_time"] is True


def test_escalation_to_talk_and_back_through_the_api(client, db, api_token):
    case = make_case(state="rectifying")
    officer, supervisor = api_token("officer"), api_token("supervisor")
    body = _post(client, case.id, officer, trigger="escalate", version=case.version, reason="manual").json
    assert body["state"] == "escalated"
    assert client.get(f"/api/v1/cases/{case.id}", headers=supervisor).json["allowed_triggers"] == \
        ["order_talk", "order_inquiry", "refer"]
    body = _post(client, case.id, supervisor, trigger="order_talk", version=body["version"], kind="integrity_talk",
                 with_whom="书记", scheduled_on="2026-12-01").json
    assert body["state"] == "talk"
    r = _post(client, case.id, supervisor, trigger="record_talk", version=body["version"], minutes="表态整改",
              rectify_workdays=500)
    assert (r.status_code, r.json["error"]["field"]) == (422, "rectify_workdays")
    body = _post(client, case.id, officer, trigger="record_talk", version=body["version"], minutes="表态整改",
                 rectify_workdays=10).json
    assert body["state"] == "rectifying" and body["deadlines"][0]["kind"] == "rectify"


def test_upload_refuses_disguised_files_and_strangers(client, db, api_token):
    case = make_case(state="rectifying")
    leader = api_token("unit_leader", unit=case.unit)
    r = client.post(f"/api/v1/cases/{case.id}/attachments", headers=leader,
                    data={"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 80), "report.pdf")}, content_type="multipart/form-data")
    assert (r.status_code, r.json["error"]["code"], r.json["error"]["field"]) == (422, "invalid_field", "file")
    r = client.post(f"/api/v1/cases/{case.id}/attachments", headers=api_token("unit_leader"),
                    data={"file": (io.BytesIO(b"hello\n"), "a.txt")}, content_type="multipart/form-data")
    assert r.status_code == 403
    r = client.post(f"/api/v1/cases/{case.id}/attachments", headers=api_token("auditor"),
                    data={"file": (io.BytesIO(b"hello\n"), "a.txt")}, content_type="multipart/form-data")
    assert r.status_code == 403


def test_openapi_describes_the_case_routes(client, db):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/attachments",
                 "/api/v1/cases/{case_id}/transitions"):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert {"trigger", "version", "severity", "rectify_workdays", "attachment_ids"} <= set(schemas["TransitionArgs"]["properties"])
    assert "allowed_triggers" in schemas["CaseDetail"]["properties"]
    assert "409" in spec["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]["responses"]
