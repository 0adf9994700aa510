"""The signals demo step: history settled, recent weeks through the services, public complaints."""
from __future__ import annotations

import random
import re
from datetime import timedelta

from sqlalchemy import select

from caseflow import clock
from caseflow.demo.district import DemoContext, DemoResult
from caseflow.demo.signals import build
from caseflow.models import Signal, SignalReply
from tests import factories
from tests.factories_cases import make_case
from tests.factories_signals import signal as make_signal


def test_demo_step_settles_signals_and_prints_a_working_receipt(client, db):
    villages = [factories.unit() for _ in range(16)]
    station = factories.station(area=villages[:3])
    factories.user("officer", username="officer")
    factories.user("monitor", username="monitor", station=station)
    with clock.frozen(clock.now() - timedelta(days=100)):
        case = make_case(unit=villages[0])
    with clock.frozen(clock.now() - timedelta(days=200)):
        old = [make_signal(unit=villages[1]) for _ in range(3)]
    with clock.frozen(case.opened_at + timedelta(days=1)):
        duplicate = make_signal(unit=villages[0])
    ctx = DemoContext(rng=random.Random(1), seed=1, first_year=clock.today().year - 2, units=villages,
                      by_kind={"village": villages}, stations=[station], result=DemoResult())
    build(ctx)
    statuses = {s.id: s for s in db.session.scalars(select(Signal))}
    assert all(statuses[s.id].status == "rejected" and statuses[s.id].outcome_reason for s in old)
    assert (statuses[duplicate.id].status, statuses[duplicate.id].case_id) in (("linked", case.id), ("rejected", None))
    rapid = [s for s in statuses.values() if s.channel == "monitoring_station"]
    assert sorted(s.late for s in rapid) == [False, True]
    assert all(s.handling_due for s in statuses.values())
    assert db.session.scalar(select(db.func.count(SignalReply.id))) >= 5
    receipt = re.search(r"track: (\S+)$", ctx.result.lines[-1]).group(1)
    answer = client.get(f"/api/v1/public/complaints/{receipt.replace('-', '')}")
    assert answer.status_code == 200 and answer.json["replies"]
