"""Shared pieces of the benchmark: where datasets live, the frozen clock, the app for a database."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:55432/cf_bench"
# Every dataset is built and measured at this instant (China Standard Time), so a cached
# database keeps making sense: its open deadlines are overdue or due relative to it.
BENCH_NOW = os.environ.get("BENCH_NOW", "2026-11-20T10:00:00+08:00")
SEED = 2008


def pg_base() -> str:
    """The PostgreSQL URL of the bench (``BENCH_POSTGRES_URL``)."""
    return os.environ.get("BENCH_POSTGRES_URL") or PG_DEFAULT


def pg_url(dataset: str, scratch: bool = False) -> str:
    """One database per dataset (``cf_bench`` for the province, ``cf_bench_district``), plus scratch copies."""
    base, _, name = pg_base().rpartition("/")
    name = name if dataset == "province" else f"{name}_{dataset}"
    return f"{base}/{name}{'_scratch' if scratch else ''}"


def sqlite_path(dataset: str, scale: float, scratch: bool = False) -> Path:
    """The cached SQLite file of a dataset (and its scratch copy for the measurements that write)."""
    tag = dataset if dataset == "district" or scale == 1 else f"{dataset}-{scale:g}"
    return OUT / f"{tag}{'-scratch' if scratch else ''}.db"


def url_for_db(db: str, dataset: str, scale: float, scratch: bool = False) -> str:
    """The SQLAlchemy URL of a dataset on ``db`` (sqlite or postgresql)."""
    if db == "sqlite":
        return f"sqlite:///{sqlite_path(dataset, scale, scratch)}"
    return pg_url(dataset, scratch)


def make_app(url: str, **extra):
    """The real app on ``url`` with the bench clock; CSRF and rate limits off (the client logs in directly)."""
    from caseflow import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "CASEFLOW_NOW": BENCH_NOW, "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, "DATA_DIR": str(OUT / "data"), "PROPAGATE_EXCEPTIONS": True}
    config.update(extra)
    return create_app(config)


def emit(result: dict) -> None:
    """A worker's answer: one JSON line on stdout, last."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)  # CPU time: the machine is shared, wall time is not ours
    result = dict(result, cpu_seconds=round(usage.ru_utime + usage.ru_stime, 1))
    sys.stdout.write("\n@@RESULT " + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB (Linux reports kB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
