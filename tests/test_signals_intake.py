"""Signal intake: monitors' rapid reports (area, late flag, attachments) and officers' records per channel."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from caseflow import clock
from caseflow.models import Attachment, Signal
from tests import factories
from tests.conftest import csrf_token
from tests.factories_signals import PNG, monitor_with_area


def _login(app, user):
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


def _rapid(client, unit_id, **overrides):
    data = {"unit_id": str(unit_id), "category": "three_assets", "discovered_on": clock.today().isoformat(),
            "summary": "村集体资产出租未经民主程序", "details": "现场发现",
            "csrf_token": csrf_token(client, "/intake/rapid")}
    data.update(overrides)
    return client.post("/intake/rapid", data=data, content_type="multipart/form-data")


def test_rapid_report_page_offers_only_the_station_area(app, db):
    monitor, units = monitor_with_area()
    outsider = factories.unit(name="外站村")
    client = _login(app, monitor)
    html = client.get("/intake/rapid").get_data(as_text=True)
    assert 'name="viewport"' in html and "touch" in html  # the phone layout
    assert all(u.name in html for u in units) and outsider.name not in html


def test_monitor_files_rapid_report_with_photo_and_sees_it_in_my_signals(app, db):
    monitor, units = monitor_with_area()
    client = _login(app, monitor)
    response = _rapid(client, units[0].id, attachments=(io.BytesIO(PNG), "photo.png"))
    assert response.status_code == 302
    signal = db.session.scalars(select(Signal)).one()
    assert (signal.channel, signal.unit_id, signal.station_id, signal.reporter_id, signal.late) == \
        ("monitoring_station", units[0].id, monitor.station_id, monitor.id, False)
    assert signal.handling_due is not None and signal.status == "new"
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.signal_id == signal.id and attachment.content_type == "image/png"
    mine = client.get("/intake/mine").get_data(as_text=True)
    assert signal.number in mine


def test_unit_outside_the_area_is_refused_403(app, db):
    monitor, _units = monitor_with_area()
    outsider = factories.unit()
    client = _login(app, monitor)
    assert _rapid(client, outsider.id).status_code == 403
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_discovery_in_the_future_is_refused_422(app, db):
    monitor, units = monitor_with_area()
    client = _login(app, monitor)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert _rapid(client, units[0].id, discovered_on=tomorrow).status_code == 422
    assert db.session.scalar(select(func.count(Signal.id))) == 0


def test_disguised_and_oversize_attachments_store_nothing(app, db, monkeypatch):
    monitor, units = monitor_with_area()
    client = _login(app, monitor)
    files_before = sorted(Path(app.config["DATA_DIR"]).rglob("*"))
    # An executable renamed to .png, next to a good photo: the whole report is refused.
    disguised = _rapid(client, units[0].id, attachments=[(io.BytesIO(PNG), "ok.png"),
                                                         (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "photo.png")])
    assert disguised.status_code == 422
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    oversize = _rapid(client, units[0].id, attachments=(io.BytesIO(b"a" * 2048), "notes.txt"))
    assert oversize.status_code == 422
    assert db.session.scalar(select(func.count(Signal.id))) == 0
    assert db.session.scalar(select(func.count(Attachment.id))) == 0
    assert sorted(Path(app.config["DATA_DIR"]).rglob("*")) == files_before


def test_late_flag_follows_working_days_cst(app, db):
    from caseflow.services.signals import signal_file_rapid

    monitor, units = monitor_with_area()
    # Discovered Friday 2026-03-06: due end of Monday 03-09 (CST). Monday 23:59 CST is on time.
    with clock.frozen(datetime(2026, 3, 9, 23, 59, tzinfo=clock.CST)):
        on_time = signal_file_rapid(monitor=monitor, unit=units[0], category="finance",
                                    discovered_on=date(2026, 3, 6), summary="白条入账", details="")
    with clock.frozen(datetime(2026, 3, 10, 0, 1, tzinfo=clock.CST)):
        late = signal_file_rapid(monitor=monitor, unit=units[0], category="finance",
                                 discovered_on=date(2026, 3, 6), summary="白条入账", details="")
    assert (on_time.late, late.late) == (False, True)
    # Handling is due 10 working days after the day of receipt.
    assert on_time.handling_due == date(2026, 3, 23)


def test_officer_records_hotline_call_with_call_time(app, db, login_as):
    client = login_as("officer")
    unit = factories.unit(name="北村")
    token = csrf_token(client, "/intake/record")
    base = {"channel": "citizen_hotline", "unit_id": str(unit.id), "category": "conduct",
            "summary": "公车私用", "details": "市民来电反映", "csrf_token": token}
    missing = client.post("/intake/record", data=base)
    assert missing.status_code == 422 and "call_time" in missing.get_data(as_text=True)
    response = client.post("/intake/record", data={**base, "call_time": "2026-01-05T09:30"})
    assert response.status_code == 302
    signal = db.session.scalars(select(Signal)).one()
    assert signal.source_details == {"call_time": "2026-01-05 09:30"} and signal.unit_id == unit.id
    page = client.get(f"/signals/{signal.id}").get_data(as_text=True)
    assert "2026-01-05 09:30" in page


def test_each_channel_checks_its_own_source_detail(app, db):
    from caseflow.errors import InvalidField
    from caseflow.services.signals import signal_record

    officer = factories.user("officer")
    cases = {"petition_letter": ("letter_number", "信2026-001"), "online_forum": ("post_url", "http://bbs.local/t-1"),
             "leader_visit": ("visit_record", "区长接访"), "audit": ("audit_reference", "审2026第3号")}
    for channel, (key, value) in cases.items():
        try:
            signal_record(officer=officer, channel=channel, unit=None, unit_name_given="某村", discovered_on=None,
                          category="other", summary="线索", details="", source_details={})
        except InvalidField as error:
            assert error.field == key
        else:
            raise AssertionError(f"{channel} accepted without {key}")
        signal = signal_record(officer=officer, channel=channel, unit=None, unit_name_given="某村",
                               discovered_on=None, category="other", summary="线索", details="",
                               source_details={key: value})
        assert signal.source_details == {key: value}
    try:
        signal_record(officer=officer, channel="online_forum", discovered_on=None, category="other", summary="x",
                      details="", source_details={"post_url": "javascript:alert(1)"})
    except InvalidField as error:
        assert error.field == "post_url"
    else:
        raise AssertionError("a non-web address was accepted")
