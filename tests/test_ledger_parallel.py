"""A recompute in forked worker processes: the same ledger and results as one process, and a reproduced
unit's stored entries kept as they are."""
from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from caseflow import clock
from caseflow.models import PeriodResult, ScoreEntry
from caseflow.services import ledger
from tests import factories
from tests import factories_scoring as fs
from tests.factories_cases import make_case

MAY = datetime(2026, 5, 15, 10, 0, tzinfo=clock.CST)
RESULT_COLUMNS = ("unit_id", "year", "quarter", "index", "control", "stakeholder", "integrity", "performance",
                  "incentive", "colour", "scheme_id")


@pytest.fixture()
def units(db):
    """Twelve units with inputs and cases in 2026 Q1–Q2 (the clock in Q2), and an inactive unit."""
    rng = random.Random(5)
    with clock.frozen(MAY):
        officer = factories.user(role="officer")
        made = [factories.unit() for _ in range(12)]
        for unit in made:
            for quarter in (1, 2):
                for _ in range(rng.randint(1, 3)):
                    fs.check(unit, 2026, quarter, rng.choice(["pass", "partial", "fail"]), weight=rng.choice([1, 2]))
                fs.survey(unit, 2026, quarter, "public_opinion", rng.choice(["0.6", "0.9"]))
                if rng.random() < 0.5:
                    fs.award(unit, 2026, quarter, "innovation")
            fs.cost(unit, 2025, rng.choice([100, 120]), 1000)
            fs.cost(unit, 2026, rng.choice([90, 130]), 1000)
            make_case(unit=unit, state=rng.choice(["notice_issued", "closed", "talk"]), officer=officer,
                      severity=rng.choice(["minor", "serious"]))
        # An item name with the characters PostgreSQL's COPY text format escapes (a worker formats the rows).
        fs.check(made[3], 2026, 2, "pass", item="审批\t(a\\b)\r\n续")
        gone = factories.unit(active=False)
        yield [u.id for u in made], gone.id


def ledger_rows() -> set[tuple]:
    t = ScoreEntry.__table__.c
    return {tuple(r) for r in ledger.db.session.execute(select(
        t.unit_id, t.year, t.quarter, t.dimension, t.points, t.reason, t.detail, t.source_kind, t.source_id))}


def result_rows() -> set[tuple]:
    t = PeriodResult.__table__.c
    return {tuple(r) for r in ledger.db.session.execute(select(*(t[c] for c in RESULT_COLUMNS)))}


def test_forked_recompute_equals_one_process_and_rewrites_only_what_differs(units, monkeypatch):
    made, gone = units
    db = ledger.db
    with clock.frozen(MAY):
        one = ledger.recompute(2026, workers=1)
        assert one.workers == 1 and not one.reproduced  # the inputs were never booked
        expected_entries, expected_results = ledger_rows(), result_rows()
        assert len({r[0] for r in expected_entries}) == len(made)

        # Damage the stored ledger: a unit's entries gone, a unit's points changed, an inactive unit's stray entry.
        e = ScoreEntry
        db.session.execute(delete(e).where(e.unit_id == made[0], e.quarter == 1))
        db.session.execute(update(e).where(e.unit_id == made[5], e.quarter == 2, e.reason == "control.checks")
                           .values(points=Decimal("-7")))
        db.session.add(ScoreEntry(unit_id=gone, year=2026, quarter=2, dimension="control", points=Decimal(1),
                                  reason="control.checks", detail="stray", source_kind=None, source_id=None))
        db.session.execute(delete(PeriodResult))
        db.session.commit()
        db.session.close()
        kept_ids = {i for (i,) in db.session.execute(select(e.id).where(e.unit_id == made[9]))}
        db.session.close()

        monkeypatch.setattr(ledger, "SHARD_UNITS", 4)  # four slices for two workers
        forked = ledger.recompute(2026, workers=2)
        assert forked.workers == 2
        assert not forked.reproduced
        assert forked.rewritten == 3  # made[0], made[5] and the inactive unit
        assert any(str(made[0]) in line and line.startswith("missing") for line in forked.differences)
        assert any("stray" not in line and line.startswith("unexpected") for line in forked.differences)
        assert (forked.units, forked.computed) == (one.units, one.computed)
        assert ledger_rows() == expected_entries
        assert result_rows() == expected_results
        assert {i for (i,) in db.session.execute(select(e.id).where(e.unit_id == made[9]))} == kept_ids
        db.session.close()

        again = ledger.recompute(2026, workers=2)
        assert again.reproduced and again.rewritten == 0 and again.workers == 2


def test_a_large_period_forks_only_with_nothing_uncommitted(units, app, monkeypatch):
    with clock.frozen(MAY):
        monkeypatch.setitem(app.config, "LEDGER_PARALLEL_MIN_UNITS", 5)
        monkeypatch.setattr(ledger, "SHARD_UNITS", 4)
        ledger.db.session.close()
        assert ledger.parallel_workers(12) == min(2, __import__("os").cpu_count() or 1)
        assert ledger.parallel_workers(4) == 1
        ledger.db.session.close()
        assert ledger.recompute(2026).workers == ledger.parallel_workers(12)
        factories.unit()  # commits; a pending change below keeps the recompute in this process
        ledger.db.session.execute(update(ScoreEntry).where(ScoreEntry.id == -1).values(points=0))
        assert ledger.recompute(2026).workers == 1


def test_a_sliced_recompute_pauses_the_cyclic_collector_and_restores_it(units, monkeypatch):
    """The slices and their writing run without cyclic garbage collection (freed by reference counting);
    the collector is as it was afterwards, also when the recompute fails or it was already paused."""
    import gc

    seen = []
    write = ledger._write
    monkeypatch.setattr(ledger, "_write", lambda *a: (seen.append(gc.isenabled()), write(*a)))
    monkeypatch.setattr(ledger, "SHARD_UNITS", 4)
    with clock.frozen(MAY):
        ledger.db.session.close()
        assert gc.isenabled()
        assert ledger.recompute(2026, workers=2).workers == 2
        assert seen and not any(seen) and gc.isenabled()
        seen.clear()
        assert ledger.recompute(2026, workers=1).workers == 1  # one slice, in this process: nothing paused
        assert seen == [True] and gc.isenabled()
        monkeypatch.setattr(ledger, "_write", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
        with pytest.raises(RuntimeError):
            ledger.recompute(2026, workers=2)
        assert gc.isenabled()
        gc.disable()
        try:
            monkeypatch.setattr(ledger, "_write", write)
            ledger.recompute(2026, workers=2)
            assert not gc.isenabled()
        finally:
            gc.enable()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_recompute_rewrites_only_the_results_that_differ(units, monkeypatch, workers):
    """Results the sources still give keep their row and ``computed_at``; a wrong one is corrected and a stray
    one (an inactive unit's) removed, in one process and in forked workers alike."""
    made, gone = units
    db, R = ledger.db, PeriodResult
    monkeypatch.setattr(ledger, "SHARD_UNITS", 4)
    with clock.frozen(MAY):
        ledger.recompute(2026, workers=1)
        expected = result_rows()

        def stored() -> dict:
            return {(u, q): (i, at) for i, u, q, at in db.session.execute(
                select(R.id, R.unit_id, R.quarter, R.computed_at).where(R.year == 2026))}

        before = stored()
        wrong = db.session.scalar(select(R).where(R.unit_id == made[2], R.year == 2026, R.quarter == 1))
        right_colour = wrong.colour
        wrong.colour = "green" if right_colour != "green" else "red"
        db.session.add(PeriodResult(unit_id=gone, year=2026, quarter=2, index=Decimal(1), control=Decimal(1),
                                    stakeholder=0, performance=0, incentive=0, integrity=0, colour="red",
                                    computed_at=clock.now()))
        db.session.commit()
        db.session.close()
    with clock.frozen(MAY.replace(day=20)):
        report = ledger.recompute(2026, workers=workers)
        assert report.workers == workers and report.reproduced
        assert result_rows() == expected
        after = stored()
        assert set(after) == set(before)
        assert db.session.scalar(select(R.colour).where(R.unit_id == made[2], R.year == 2026, R.quarter == 1)) \
            == right_colour
        changed = {key for key in after if after[key] != before[key]}
        assert changed == {(made[2], 1)}
