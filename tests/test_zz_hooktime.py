import time
from datetime import datetime
from caseflow import clock
from caseflow.services import hooks
from tests import factories
from tests.factories_cases import make_case, fire

def test_hook_time(db, monkeypatch):
    from caseflow.services import ledger
    with clock.frozen(datetime(2026, 5, 15, 10, tzinfo=clock.CST)):
        units = [factories.unit() for _ in range(20)]
        ledger.recompute(2026)
        officer = factories.user(role="officer")
        cases = [make_case(unit=u, state="detected", officer=officer) for u in units]
        calls = []
        orig = ledger.on_transition
        def timed(ctx):
            t = time.perf_counter(); orig(ctx); calls.append(time.perf_counter() - t)
        import caseflow.services.ledger as L
        monkeypatch.setattr(L, "on_transition", timed)
        for c in cases:
            fire(c, "issue_notice", officer)
        calls.sort()
        print("hook ms median", calls[len(calls)//2]*1000, "max", calls[-1]*1000)
