"""``case_transition`` throughput on a realistic mix: each open case gets its natural next step."""
from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

from sqlalchemy import insert, select

# state → (trigger, role of the actor, data)
NEXT = {
    "detected": ("issue_notice", "officer", {"severity": "moderate", "findings": "核查发现问题。",
                                             "requirements": "限期整改。", "rectify_workdays": 20}),
    "notice_issued": ("acknowledge", "officer", {"method": "paper"}),
    "rectifying": ("submit_report", "unit_leader", {"report": "已整改。"}),
    "verifying": ("accept", "officer", {"note": "核查通过。"}),
    "escalated": ("order_talk", "supervisor", {"kind": "integrity_talk", "with_whom": "主要负责人"}),
    "talk": ("record_talk", "officer", {"minutes": "谈话记录。", "rectify_workdays": 15}),
    "inquiry": ("record_inquiry", "officer", {"minutes": "询问记录。", "rectify_workdays": 15}),
}


def _server_cpu(db) -> dict[int, float] | None:
    """CPU seconds of this database's server processes, when the server runs on this machine (else None)."""
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        return None
    pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).all()
    db.session.commit()
    tick, out = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return out


def _server_cpu_spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def plan_transitions(db, case_ids: list[int]) -> list[tuple[int, str, int | None, dict]]:
    """The natural next ``(case_id, trigger, actor_id, data)`` of each case; evidence uploads are done here."""
    from caseflow import clock
    from caseflow.models import Attachment, Case, User

    officer = db.session.scalar(select(User).where(User.username == "officer"))
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    leaders = {u.unit_id: u for u in db.session.scalars(select(User).where(User.role == "unit_leader"))}
    plan = []
    for case in db.session.scalars(select(Case).where(Case.id.in_(case_ids)).order_by(Case.id)):
        trigger, role, data = NEXT[case.state]
        data = dict(data)
        if trigger == "submit_report":
            if case.unit_id not in leaders:
                trigger, role, data = "escalate", "officer", {"reason": "manual"}
            else:  # the evidence upload is its own request; only the transition is timed
                att = db.session.execute(insert(Attachment).values(
                    case_id=case.id, filename="evidence.pdf", content_type="application/pdf", size=1000,
                    sha256="0" * 64, created_at=clock.now(), uploaded_by_id=leaders[case.unit_id].id)
                    .returning(Attachment.id)).scalar_one()
                data["attachment_ids"] = [att]
        if trigger == "order_talk":
            data["scheduled_on"] = (clock.today() + timedelta(days=3)).isoformat()
        actor = {"officer": officer, "supervisor": supervisor}.get(role) or leaders.get(case.unit_id)
        plan.append((case.id, trigger, actor.id if actor else None, data))
    db.session.commit()
    db.session.remove()
    return plan


def fire_plan(db, plan) -> dict:
    """Fire each planned transition as a request would; per-transition times, errors and CPU seconds."""
    from caseflow.models import Case, User
    from caseflow.services import ledger
    from caseflow.services.cases import case_transition

    times, errors, by_trigger = [], [], {}
    hook: dict[str, list[float]] = {"wall": [], "cpu": []}
    booking = ledger.on_transition

    def timed_hook(ctx) -> None:  # the ledger's incremental update, on top of the transition
        if ctx.trigger not in ledger.src.SCORED_TRIGGERS:
            return booking(ctx)
        t0, c0 = time.perf_counter(), time.process_time()
        booking(ctx)
        hook["wall"].append((time.perf_counter() - t0) * 1000)
        hook["cpu"].append((time.process_time() - c0) * 1000)

    ledger.on_transition = timed_hook  # the hook runner looks the hook up on every transition
    cpu_started = time.process_time()
    started = time.perf_counter()
    for case_id, trigger, actor_id, data in plan:
        t0 = time.perf_counter()
        try:  # as a request would: load the user and the case in a fresh session
            actor = db.session.get(User, actor_id)
            case = db.session.get(Case, case_id)
            case_transition(case=case, trigger=trigger, actor=actor, data=data)
        except Exception as error:  # noqa: BLE001 - counted and reported
            errors.append(f"{trigger}: {type(error).__name__}: {error}"[:200])
            db.session.remove()
            continue
        ms = (time.perf_counter() - t0) * 1000
        times.append(ms)
        by_trigger.setdefault(trigger, []).append(ms)
        db.session.remove()
    ledger.on_transition = booking
    return {"times": times, "errors": errors, "by_trigger": by_trigger, "hook": hook,
            "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu_started}


def _summary(fired: dict, seconds: float, server_cpu: float | None) -> dict:
    times = sorted(fired["times"])
    n = len(times)
    return {"fired": n, "errors": len(fired["errors"]), "error_samples": fired["errors"][:5],
            "seconds": round(seconds, 2), "per_second": round(n / seconds, 1) if seconds else None,
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(times[int(0.95 * (n - 1))], 1) if times else None,
            "by_trigger_ms": {k: round(statistics.median(v), 1) for k, v in sorted(fired["by_trigger"].items())},
            # CPU per transition: the app worker(s), and the database server's backends when it runs
            # on this machine; wall time is shared with whatever else the machine runs.
            "app_cpu_ms": round(fired["cpu"] * 1000 / n, 1) if n else None,
            "server_cpu_ms": round(server_cpu * 1000 / n, 1) if n and server_cpu is not None else None,
            "ledger_hook": _hook_summary(fired.get("hook"))}


def _hook_summary(hook: dict | None) -> dict | None:
    """The ledger hook's time per scored transition (``services.ledger.on_transition``), wall and CPU."""
    if not hook or not hook["wall"]:
        return None
    wall = sorted(hook["wall"])
    return {"scored": len(wall), "p50_ms": round(statistics.median(wall), 2),
            "p95_ms": round(wall[int(0.95 * (len(wall) - 1))], 2), "mean_ms": round(statistics.mean(wall), 2),
            "cpu_mean_ms": round(statistics.mean(hook["cpu"]), 2)}


def transitions(db, case_ids: list[int]) -> dict:
    """Fire the next trigger of each case through ``case_transition`` (one transaction each), one after another."""
    from common import peak_rss_mb

    plan = plan_transitions(db, case_ids)
    base = peak_rss_mb()
    server_before = _server_cpu(db)
    db.session.remove()
    fired = fire_plan(db, plan)
    server_cpu = _server_cpu_spent(server_before, _server_cpu(db))
    db.session.remove()
    return {**_summary(fired, fired["seconds"], server_cpu), "baseline_mb": base, "peak_mb": peak_rss_mb()}


def _concurrent_worker(url: str, plan, ready, go, results) -> None:
    """One app worker process: its own app, engine and session, firing its share of the plan."""
    from common import make_app, peak_rss_mb

    app = make_app(url)
    with app.app_context():
        from sqlalchemy import text

        from caseflow.extensions import db

        db.session.execute(text("SELECT 1"))  # connected before the start, as a running worker is
        db.session.remove()
        ready.put(os.getpid())
        go.wait()
        fired = fire_plan(db, plan)
        fired["peak_mb"] = peak_rss_mb()
        db.session.remove()
    results.put(fired)


def transitions_concurrent(db, url: str, case_ids: list[int], workers: int) -> dict:
    """The same transitions shared round-robin among ``workers`` processes firing at once (disjoint cases).

    Throughput is the system's: every transition fired, over the time from the common start to
    the last worker's end.
    """
    import multiprocessing

    plan = plan_transitions(db, case_ids)
    mp = multiprocessing.get_context("spawn")
    ready, results, go = mp.Queue(), mp.Queue(), mp.Event()
    procs = [mp.Process(target=_concurrent_worker, args=(url, plan[i::workers], ready, go, results))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=300)
    server_before = _server_cpu(db)
    db.session.remove()
    started = time.perf_counter()
    go.set()
    shares = [results.get(timeout=3600) for _ in procs]
    seconds = time.perf_counter() - started
    server_cpu = _server_cpu_spent(server_before, _server_cpu(db))
    db.session.remove()
    for proc in procs:
        proc.join()
    fired = {"times": [t for s in shares for t in s["times"]], "errors": [e for s in shares for e in s["errors"]],
             "by_trigger": {}, "cpu": sum(s["cpu"] for s in shares)}
    for share in shares:
        for trigger, ms in share["by_trigger"].items():
            fired["by_trigger"].setdefault(trigger, []).extend(ms)
    return {**_summary(fired, seconds, server_cpu), "workers": workers,
            "peak_mb": max(s["peak_mb"] for s in shares)}
