"""``make bench``: build the district and province datasets on SQLite and PostgreSQL, measure every
main page against its floor, the transition throughput, the sweep, a full-year recompute and the
xlsx export, each heavy measurement in its own process; write ``bench/results.json`` and
``bench/results.md``.

    python bench/run.py [--reuse] [--datasets district,province] [--dbs sqlite,postgresql]
                        [--requests 20] [--province-scale 1] [--transitions 300] [--workers 2]
                        [--skip-heavy]
                        [--build-only] [--merge] [--timeout 1200]

PostgreSQL comes from ``BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:55432/cf_bench``); it is skipped with a note when
unreachable. Built SQLite files are cached under ``bench/out/`` (``--reuse``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH, BENCH_NOW, OUT, ROOT, pg_base, pg_url, sqlite_path, url_for_db  # noqa: E402
from report import write_reports  # noqa: E402


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def worker(task: str, timeout: int = 3600, **args) -> dict:
    """Run one task in a fresh process; its stderr (progress) passes through."""
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, str(BENCH / "worker.py"), task, json.dumps(args)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("@@RESULT ")]
    result = json.loads(lines[-1].removeprefix("@@RESULT ")) if lines else {"error": f"exit {proc.returncode}"}
    result.setdefault("wall_seconds", round(time.perf_counter() - started, 1))
    return result


def schema_hash() -> str:
    """What the cached databases were built for: the tables and columns of the models."""
    from caseflow.extensions import db
    from caseflow.models import Unit  # noqa: F401 - registers every model

    text = ";".join(f"{t.name}:" + ",".join(f"{c.name} {c.type}" for c in t.columns)
                    for t in sorted(db.metadata.tables.values(), key=lambda t: t.name))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _admin_conn():
    import psycopg

    base = pg_base().replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(base.rpartition("/")[0] + "/postgres", autocommit=True, connect_timeout=3)


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        _admin_conn().close()
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {str(error).strip()[:160]}"


def pg_ensure(name: str, template: str | None = None) -> None:
    """Create database ``name`` (dropped first when copying ``template``)."""
    with _admin_conn() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if template:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        elif not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_schema(url: str) -> list[str]:
    """Bring a reused dataset to the models as the migrations since its build would: create the indexes
    the models gained, drop the foreign keys they lost (SQLite rebuilds the table, as migrations do)."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import create_engine, inspect

    from caseflow.extensions import db
    from caseflow.models import Unit  # noqa: F401 - registers every model

    engine = create_engine(url)
    changed = []
    try:
        with engine.begin() as conn:
            inspector = inspect(conn)
            op = Operations(MigrationContext.configure(conn))
            for table in db.metadata.sorted_tables:
                have = {ix["name"] for ix in inspector.get_indexes(table.name)}
                for index in table.indexes:
                    if index.name not in have:
                        index.create(conn)
                        changed.append(f"index {index.name}")
                wanted = {fk.name for fk in table.foreign_key_constraints}
                stale = [fk["name"] for fk in inspector.get_foreign_keys(table.name)
                         if fk.get("name") and fk["name"] not in wanted]
                if stale:
                    with op.batch_alter_table(table.name) as batch:
                        for name in stale:
                            batch.drop_constraint(name, type_="foreignkey")
                    changed += [f"dropped foreign key {name}" for name in stale]
    finally:
        engine.dispose()
    return changed


def dataset(name: str, db: str, scale: float, reuse: bool, schema: str) -> dict:
    """Build (or reuse) a dataset; return the build record."""
    marker = OUT / f"{name}-{db}-{scale:g}.json"
    url = url_for_db(db, name, scale)
    if reuse and marker.exists():
        record = json.loads(marker.read_text())
        present = sqlite_path(name, scale).exists() if db == "sqlite" else True
        if record.get("now") == BENCH_NOW and present:
            changed = record.get("schema") != schema
            log(f"{name}/{db}: reusing the dataset built {record.get('built_at')}"
                + (" (the models changed since; rebuild without --reuse if a page fails)" if changed else ""))
            added = ensure_schema(url)
            if added:
                log(f"{name}/{db}: brought to the models since the build: {', '.join(added)}")
            return dict(record, reused=True, schema_changed=changed, schema_updates=added)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(sqlite_path(name, scale)) + suffix).unlink(missing_ok=True)
    else:
        pg_ensure(url.rpartition("/")[2])
    log(f"{name}/{db}: building (scale {scale:g}) …")
    record = worker("build", url=url, dataset=name, scale=scale)
    record.update(schema=schema, now=BENCH_NOW, built_at=time.strftime("%Y-%m-%d %H:%M:%S"), reused=False)
    if "error" not in record:
        marker.write_text(json.dumps(record, indent=1, default=str))
    log(f"{name}/{db}: built in {record.get('seconds')} s")
    return record


def scratch(name: str, db: str, scale: float) -> str:
    """A throw-away copy for the measurements that write (transitions, sweep, recompute)."""
    if db == "sqlite":
        target = sqlite_path(name, scale, scratch=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        shutil.copyfile(sqlite_path(name, scale), target)
    else:
        pg_ensure(pg_url(name, scratch=True).rpartition("/")[2], template=pg_url(name).rpartition("/")[2])
    return url_for_db(db, name, scale, scratch=True)


def settle(db: str, url: str) -> None:
    """Finish the background work the previous measurement left on the scratch database before the next
    one starts, so that each measures only itself: SQLite's WAL checkpointed into the file; PostgreSQL's
    dirty buffers checkpointed and its tables vacuumed and analysed (what autovacuum would otherwise do
    during the next measurement, e.g. after the sweep's 90,000 notifications)."""
    if db == "sqlite":
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        conn.execute("VACUUM (ANALYZE)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="district,province")
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--reuse", action="store_true", help="reuse datasets already built for this schema")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--province-scale", type=float, default=float(os.environ.get("BENCH_PROVINCE_SCALE", 1)))
    parser.add_argument("--transitions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="app processes of the concurrent transition run")
    parser.add_argument("--skip-heavy", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) the datasets, measure nothing")
    parser.add_argument("--merge", action="store_true", help="keep the other datasets/databases of results.json")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds allowed to each heavy measurement")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    schema = schema_hash()
    results: dict = {"meta": {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "bench_now": BENCH_NOW,
                              "requests": args.requests, "province_scale": args.province_scale,
                              "cpus": os.cpu_count(), "load": os.getloadavg(), "notes": []},
                     "runs": []}
    pg_problem = pg_reachable() if "postgresql" in args.dbs else None
    if pg_problem:
        results["meta"]["notes"].append(f"PostgreSQL skipped ({pg_base()}): {pg_problem}")
    year = date.fromisoformat(BENCH_NOW[:10]).year - 1
    for name in args.datasets.split(","):
        scale = args.province_scale if name == "province" else 1.0
        for db in args.dbs.split(","):
            if db == "postgresql" and pg_problem:
                continue
            run = {"dataset": name, "db": db, "scale": scale}
            results["runs"].append(run)
            run["build"] = dataset(name, db, scale, args.reuse, schema)
            if "error" in run["build"]:
                continue
            if args.build_only:
                continue
            url = url_for_db(db, name, scale)
            log(f"{name}/{db}: pages …")
            run["pages"] = worker("pages", url=url, requests=args.requests)
            write_reports(results, args.merge)
            if args.skip_heavy:
                continue
            work = scratch(name, db, scale)
            heavy = [("transitions", work, {"count": args.transitions}),
                     ("transitions_concurrent", work, {"count": args.transitions, "workers": args.workers}),
                     ("sweep", work, {}),
                     ("recompute", work, {"year": year}), ("export", url, {})]
            for key, task_url, extra in heavy:
                if task_url == work:
                    settle(db, work)
                log(f"{name}/{db}: {key} …")
                run[key] = worker(key.removesuffix("_concurrent"), args.timeout, url=task_url, **extra)
                write_reports(results, args.merge)
    results["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    if not args.build_only:
        write_reports(results, args.merge)
    log(f"wrote {BENCH / 'results.json'} and {BENCH / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
