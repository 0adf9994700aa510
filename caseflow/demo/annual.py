"""Demo: the annual C-grade cases of the published year were followed up during the next year —
a talk ordered and held, the unit rectified and the officer accepted — as a commission would."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from caseflow import clock
from caseflow.demo.cases import _ACCEPT, _REC_TALK, _REPORT, _TALK, Replay, replay_steps
from caseflow.demo.district import DemoContext
from caseflow.extensions import db
from caseflow.models import Case

DEMO_STEP = 45
FOLLOW_UP = (_TALK, _REC_TALK, _REPORT, _ACCEPT)


def build(ctx: DemoContext) -> None:
    """Take the earlier years' annual cases from `escalated` through a talk to closure."""
    replay = Replay(ctx)
    cases = list(db.session.scalars(
        select(Case).where(Case.origin == "annual", Case.state == "escalated",
                           Case.annual_year < clock.today().year - 1).order_by(Case.id)))
    for case in cases:
        officer = case.handler or ctx.rng.choice(replay.officers)
        start = clock.local(case.opened_at).date() + timedelta(days=ctx.rng.randint(3, 20))
        replay_steps(replay, case, start, FOLLOW_UP, officer)
    if cases:
        ctx.result.lines.append(f"annual cases followed up: {len(cases)}")
