"""Signal factories for tests (each commits what it makes)."""
from __future__ import annotations

from caseflow.extensions import db
from caseflow.models import Signal
from caseflow.services.signals import new_signal
from tests import factories

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def signal(*, unit=None, channel: str = "citizen_hotline", category: str = "finance",
           summary: str = "大额资金支出未经集体讨论", **fields) -> Signal:
    """A new signal about ``unit`` (a fresh village unless given), received now."""
    if unit is None and "unit_id" not in fields:
        unit = factories.unit()
    if unit is not None:
        fields["unit_id"] = unit.id
    if channel == "citizen_hotline":
        fields.setdefault("source_details", {"call_time": "2026-01-05 09:30"})
    row = new_signal(channel=channel, category=category, summary=summary,
                     details=fields.pop("details", "反映的情况"), **fields)
    db.session.commit()
    return row


def monitor_with_area(n_units: int = 2):
    """A monitor whose station watches ``n_units`` fresh units; returns (monitor, units)."""
    units = [factories.unit() for _ in range(n_units)]
    station = factories.station(area=units)
    return factories.user("monitor", station=station), units
