"""Anonymous public complaints: receipt codes, status and replies, additions, rate and size limits."""
from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from caseflow.models import Signal, SignalReply
from caseflow.security import token_digest
from caseflow.services.complaints import RECEIPT_ALPHABET, complaint_file, signal_reply
from caseflow.services.signals import signal_triage
from tests import factories
from tests.conftest import csrf_token

COMPLAINT = {"unit_name": "测试村", "category": "agri_funds", "details": "低保资格审核不严，村干部亲属享受低保。"}


def test_api_complaint_gives_a_receipt_and_stores_only_its_hash(client, db):
    response = client.post("/api/v1/public/complaints", json={**COMPLAINT, "contact": "王先生 13800000000"})
    assert response.status_code == 201 and set(response.json) == {"receipt"}
    receipt = response.json["receipt"]
    assert len(receipt) == 16 and set(receipt) <= set(RECEIPT_ALPHABET)
    signal = db.session.scalars(select(Signal)).one()
    assert signal.receipt_hash == token_digest(receipt) and signal.channel == "public_web" and signal.anonymous
    assert receipt not in repr([getattr(signal, c.key) for c in Signal.__table__.columns])
    status = client.get(f"/api/v1/public/complaints/{receipt}")
    assert status.status_code == 200 and status.json["status"] == "new" and status.json["replies"] == []
    text = status.get_data(as_text=True)
    assert "13800000000" not in text and "contact" not in text and "reporter_id" not in text


def test_web_complaint_becomes_a_case_and_the_reporter_reads_the_reply(app, db, login_as):
    unit = factories.unit(name="南岙村")
    public = app.test_client()
    token = csrf_token(public, "/public/complaint")
    filed = public.post("/public/complaint", data={**COMPLAINT, "unit_name": "南岙村", "csrf_token": token})
    assert filed.status_code == 201
    receipt = re.search(r'class="receipt"[^>]*>([A-Z0-9-]+)<', filed.get_data(as_text=True)).group(1)
    signal = db.session.scalars(select(Signal)).one()
    assert signal.unit_id == unit.id  # the name matched a unit
    officer = login_as("officer")
    assert signal.number in officer.get("/signals/?queue=new").get_data(as_text=True)
    signal_triage(signal=signal, actor=officer.user, action="open_case", title="低保审核不严")
    token = csrf_token(officer, f"/signals/{signal.id}")
    sent = officer.post(f"/signals/{signal.id}/reply", data={"reply-body": "已立案核查，感谢您的反映。",
                                                             "reply-csrf_token": token})
    assert sent.status_code == 302
    # The reporter, with the code as printed (dashes), sees the status and the reply.
    token = csrf_token(public, "/public/complaint/track")
    page = public.post("/public/complaint/track", data={"receipt": receipt.lower(), "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "已立案核查，感谢您的反映。" in html
    assert officer.user.display_name not in html
    api = public.get(f"/api/v1/public/complaints/{receipt.replace('-', '')}").json
    assert api["status"] == "case_opened" and api["replies"][0]["author"] == "officer"
    # The reporter adds information; officers see it on the signal page.
    token = csrf_token(public, "/public/complaint/track")
    added = public.post("/public/complaint/add", data={"receipt": receipt, "body": "补充：涉及三户。",
                                                       "csrf_token": token})
    assert added.status_code == 200 and "补充：涉及三户。" in added.get_data(as_text=True)
    assert "补充：涉及三户。" in officer.get(f"/signals/{signal.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count(SignalReply.id)).where(SignalReply.from_reporter.is_(True))) == 1


def test_api_reporter_adds_information(client, db):
    receipt = client.post("/api/v1/public/complaints", json=COMPLAINT).json["receipt"]
    response = client.post(f"/api/v1/public/complaints/{receipt}/replies", json={"body": "补充材料"})
    assert response.status_code == 201 and response.json["replies"][0]["author"] == "reporter"
    assert client.post("/api/v1/public/complaints/AAAAAAAAAAAAAAAA/replies",
                       json={"body": "x"}).status_code == 404


def test_unknown_and_malformed_receipts_answer_alike(client, db):
    _signal, receipt = complaint_file(**COMPLAINT)
    unknown = "A" * 16 if receipt != "A" * 16 else "B" * 16
    answers = []
    for code in (unknown, "not-a-code!", "0O1I" * 4, receipt[:-1], "with/slash", "%00"):
        started = time.perf_counter()
        response = client.get(f"/api/v1/public/complaints/{code}")
        answers.append((response.status_code, response.json, time.perf_counter() - started))
    assert {a[0] for a in answers} == {404}
    assert all(a[1] == answers[0][1] for a in answers)
    durations = [a[2] for a in answers]
    assert max(durations) < 10 * min(durations) + 0.05  # no early exit for malformed codes


def test_web_lookup_answers_unknown_and_malformed_alike(app, db):
    public = app.test_client()
    token = csrf_token(public, "/public/complaint/track")
    answers = []
    for code in ("A" * 16, "xyz", "", "Z" * 500):
        response = public.post("/public/complaint/track", data={"receipt": code, "csrf_token": token})
        flashes = re.findall(r'class="flash[^"]*">([^<]*)<', response.get_data(as_text=True))
        answers.append((response.status_code, flashes))
    assert all(a == answers[0] for a in answers) and answers[0][0] == 404 and answers[0][1]


def test_public_form_needs_csrf(app, db):
    public = app.test_client()
    response = public.post("/public/complaint", data=COMPLAINT)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_a_flood_of_submissions_is_429(app, client, db):
    limit = int(app.config["PUBLIC_COMPLAINT_RATE_LIMIT"].split()[0])
    codes = [client.post("/api/v1/public/complaints", json=COMPLAINT).status_code for _ in range(limit + 2)]
    assert codes[:limit] == [201] * limit and codes[limit:] == [429, 429]
    assert client.post("/api/v1/public/complaints", json=COMPLAINT).json["error"]["code"] == "rate_limited"
    # The web form shares the same per-address budget.
    token = csrf_token(client, "/public/complaint")
    assert client.post("/public/complaint", data={**COMPLAINT, "csrf_token": token}).status_code == 429
    assert db.session.scalar(select(func.count(Signal.id))) == limit


def test_size_limits(client, db):
    too_long = client.post("/api/v1/public/complaints", json={**COMPLAINT, "details": "字" * 5001})
    assert too_long.status_code == 422 and too_long.json["error"]["field"] == "details"
    huge = client.post("/api/v1/public/complaints", json={**COMPLAINT, "details": "x" * 100_000})
    assert huge.status_code == 413
    token = csrf_token(client, "/public/complaint")
    web = client.post("/public/complaint", data={**COMPLAINT, "details": "x" * 100_000, "csrf_token": token})
    assert web.status_code == 413
    web_long = client.post("/public/complaint", data={**COMPLAINT, "details": "字" * 5001, "csrf_token": token})
    assert web_long.status_code == 422
    bad = client.post("/api/v1/public/complaints", json={**COMPLAINT, "category": "nonsense"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "category"
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_officer_reply_only_on_anonymous_complaints(db):
    from caseflow.errors import Forbidden
    from tests.factories_signals import signal as make_signal

    officer = factories.user("officer")
    try:
        signal_reply(signal=make_signal(), actor=officer, body="答复")
    except Forbidden:
        pass
    else:
        raise AssertionError("a reply to a non-public signal was accepted")
