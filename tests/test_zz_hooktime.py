import time
from datetime import datetime
from caseflow import clock
from tests import factories
from tests.factories_cases import make_case, fire

def test_hook_time(db, monkeypatch):
    from caseflow.services import ledger
    import caseflow.services.ledger as L
    from caseflow.services import hooks
    with clock.frozen(datetime(2026, 5, 15, 10, tzinfo=clock.CST)):
        units = [factories.unit() for _ in range(30)]
        ledger.recompute(2026)
        officer = factories.user(role="officer")
        cases = [make_case(unit=u, state="detected", officer=officer) for u in units]
        calls, totals = [], []
        orig = L.on_transition
        def timed(ctx):
            t = time.perf_counter(); orig(ctx); calls.append(time.perf_counter() - t)
        monkeypatch.setattr(L, "on_transition", timed)
        for c in cases[:15]:
            t = time.perf_counter(); fire(c, "issue_notice", officer); totals.append(time.perf_counter() - t)
        monkeypatch.setattr(hooks, "HOOK_MODULES", tuple(m for m in hooks.HOOK_MODULES if m != "caseflow.services.ledger"))
        without = []
        for c in cases[15:]:
            t = time.perf_counter(); fire(c, "issue_notice", officer); without.append(time.perf_counter() - t)
        med = lambda xs: sorted(xs)[len(xs)//2]*1000
        print(f"hook ms median {med(calls):.1f}; transition with ledger {med(totals):.1f}, without {med(without):.1f}")
