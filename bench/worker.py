"""One benchmark task in its own process (so its peak memory is its own):
``python bench/worker.py TASK '{json args}'``; the answer is the last ``@@RESULT`` line."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SEED, emit, make_app, peak_rss_mb  # noqa: E402


def _schema_reset(db) -> None:
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.create_all()


def task_build(url: str, dataset: str, scale: float = 1.0) -> dict:
    """Build ``dataset`` into an empty schema on ``url``; return counts and seconds."""
    from sqlalchemy import text

    from caseflow.extensions import db

    app = make_app(url)
    with app.app_context():
        _schema_reset(db)
        started = time.perf_counter()
        if dataset == "district":
            from caseflow.demo.district import build_district

            result = build_district(SEED)
            counts, steps, lines = {"units": result.units, "signals": result.signals}, {}, result.lines
        else:
            from caseflow.demo.province import build_province

            # The bench builds the ledger of the quarters the pages show; the full-year recompute is
            # measured on its own (the CLI builds every year).
            result = build_province(SEED, scale, ledger="current")
            counts, steps, lines = result.counts, result.seconds, result.lines
        seconds = time.perf_counter() - started
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    import resource

    # The province's worker processes (cases, documents) are children: their CPU time is not in cpu_seconds.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": round(seconds, 1), "counts": counts, "steps": steps, "lines": lines, "peak_mb": peak_rss_mb(),
            "children_cpu_seconds": round(children.ru_utime + children.ru_stime, 1)}


def task_pages(url: str, requests: int) -> dict:
    """Latency and query counts of every main page and its floor."""
    from pages import measure_pages

    return measure_pages(url, requests)


def _open_cases(db, limit: int) -> list:
    from sqlalchemy import select

    from caseflow.models import Case

    states = ("detected", "notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry")
    ids = list(db.session.scalars(select(Case.id).where(Case.state.in_(states)).order_by(Case.id)))
    step = max(len(ids) // limit, 1)
    return ids[::step][:limit]


def task_transitions(url: str, count: int, workers: int = 1) -> dict:
    """``case_transition`` throughput: the natural next trigger on ``count`` open cases, each its own
    transaction — fired one after another, or shared among ``workers`` app processes at once."""
    from heavy import transitions, transitions_concurrent

    app = make_app(url)
    with app.app_context():
        from caseflow.extensions import db

        if workers > 1:
            return transitions_concurrent(db, url, _open_cases(db, count), workers)
        return transitions(db, _open_cases(db, count))


def task_sweep(url: str) -> dict:
    """The deadline sweep over every open case as of the bench clock (the backlog the dataset was built with),
    then the next day's sweep (the steady state of a daily job)."""
    app = make_app(url)
    with app.app_context():
        from sqlalchemy import func, select

        from caseflow.extensions import db
        from caseflow.models import Case
        from caseflow.services.sweep import sweep_run

        open_cases = db.session.scalar(select(func.count(Case.id)).where(
            Case.state.in_(("notice_issued", "rectifying", "verifying", "escalated", "talk", "inquiry"))))
        base = peak_rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        report = sweep_run()
        seconds, cpu_first = time.perf_counter() - started, time.process_time() - cpu
        # The steady state: the next day's sweep (a deployment sweeps at least daily), over the same open cases.
        from datetime import timedelta

        from caseflow import clock

        with clock.frozen(clock.now() + timedelta(days=1)):
            started, cpu = time.perf_counter(), time.process_time()
            again = sweep_run()
            second, cpu_second = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": round(seconds, 2), "cpu_first": round(cpu_first, 2),
            "phases": {k: round(v, 2) for k, v in report.seconds.items()}, "open_cases": open_cases,
            "escalated": len(report.escalated), "reminded": len(report.reminded), "alerted": len(report.alerted),
            "failed": len(report.failed), "second_seconds": round(second, 2), "second_cpu": round(cpu_second, 2),
            "second_escalated": len(again.escalated), "second_reminded": len(again.reminded),
            "second_alerted": len(again.alerted), "baseline_mb": base, "peak_mb": peak_rss_mb()}


def task_recompute(url: str, year: int) -> dict:
    """A full-year recomputation of the ledger (``services.ledger.recompute``)."""
    app = make_app(url)
    with app.app_context():
        import resource

        from caseflow.services.ledger import recompute

        def children_cpu() -> float:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime

        base = peak_rss_mb()
        started, cpu, workers_cpu = time.perf_counter(), time.process_time(), children_cpu()
        report = recompute(year)
        seconds, cpu, workers_cpu = (time.perf_counter() - started, time.process_time() - cpu,
                                     children_cpu() - workers_cpu)
        # Again, with the ledger now in place: what ``caseflow score`` does on a built year (compare, keep).
        started = time.perf_counter()
        again = recompute(year)
        second = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "year": year, "units": report.units, "entries": report.computed,
            "stored": report.stored, "reproduced": report.reproduced if report.stored else None,
            "workers": report.workers, "cpu_parent": round(cpu, 1), "cpu_workers": round(workers_cpu, 1),
            "second_seconds": round(second, 2), "second_reproduced": again.reproduced,
            "second_rewritten": again.rewritten, "baseline_mb": base, "peak_mb": peak_rss_mb()}


def task_export(url: str) -> dict:
    """The xlsx export of every case through its endpoint, as a supervisor (streamed response read to the end)."""
    from pages import client_for

    app = make_app(url)
    if "exports.cases" not in app.view_functions:
        return {"skipped": "no exports.cases endpoint"}
    with app.app_context():
        from sqlalchemy import func, select

        from caseflow.extensions import db
        from caseflow.models import Case

        cases = db.session.scalar(select(func.count(Case.id)))
        client = client_for(app, "supervisor")
        base = peak_rss_mb()
        started = time.perf_counter()
        size = 0
        with client.get("/exports/cases.xlsx", buffered=False) as response:
            status = response.status_code
            for chunk in response.response:
                size += len(chunk)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "status": status, "bytes": size, "cases": cases, "baseline_mb": base,
            "peak_mb": peak_rss_mb()}


TASKS = {"build": task_build, "pages": task_pages, "transitions": task_transitions, "sweep": task_sweep,
         "recompute": task_recompute, "export": task_export}

if __name__ == "__main__":
    name, args = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    try:
        emit(TASKS[name](**args))
    except Exception as error:  # noqa: BLE001 - the orchestrator reports it and carries on
        import traceback

        traceback.print_exc()
        emit({"error": f"{type(error).__name__}: {error}"[:500]})
