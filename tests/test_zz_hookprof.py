import cProfile, pstats, io
from datetime import datetime
from caseflow import clock
from tests import factories
from tests.factories_cases import make_case, fire

def test_hook_prof(db, monkeypatch):
    from caseflow.services import ledger
    with clock.frozen(datetime(2026, 5, 15, 10, tzinfo=clock.CST)):
        units = [factories.unit() for _ in range(10)]
        ledger.recompute(2026)
        officer = factories.user(role="officer")
        cases = [make_case(unit=u, state="detected", officer=officer) for u in units]
        import caseflow.services.ledger as L
        orig = L.on_transition
        pr = cProfile.Profile()
        def timed(ctx):
            pr.enable(); orig(ctx); pr.disable()
        monkeypatch.setattr(L, "on_transition", timed)
        for c in cases:
            fire(c, "issue_notice", officer)
        s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(25); print(s.getvalue()[:6000])
