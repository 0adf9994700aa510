"""The province dataset's signals and two years of scoring inputs."""
from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from caseflow import clock
from caseflow.demo import names
from caseflow.demo.district import SUMMARIES
from caseflow.demo.province_cases import CHUNK
from caseflow.extensions import db
from caseflow.models import (
    CATEGORIES,
    CHANNELS,
    ControlCheck,
    CostRecord,
    IncentiveAward,
    RiskPoint,
    Sanction,
    Signal,
    SupervisionFinding,
    SurveyResult,
)
from caseflow.services.numbering import signal_number

COST_PER_HEAD = {"town": 9.0, "village": 4.0, "community": 5.0, "station": 7.0, "agency": 11.0, "enterprise": 14.0}


class InputSteps:
    """The signal and scoring-input steps of ``ProvinceBuilder`` (a mixin: the builder holds the state)."""

    # ---------------------------------------------------------------- signals
    def signals(self) -> None:
        """The cases' source signals plus the rest of the 300,000 through every channel, numbered per
        year in order of receipt: rejected, linked to an earlier case, assigned, or still new."""
        rng, total = self.rng, self.size["signals"]
        start, span = self.start.astimezone(UTC), (self.now - self.start.astimezone(UTC)).total_seconds()
        specs = [(at, unit, cat, cid, officer, triaged, "case_opened") for at, unit, cat, cid, officer, triaged
                 in self.case_signals]
        cats = list(CATEGORIES)
        for _ in range(max(total - len(specs), 0)):
            at = start + timedelta(seconds=int(span * rng.random() ** 0.8))  # more signals lately
            unit = self.unit_ids[int(len(self.unit_ids) * rng.random() ** 1.3)]
            age = (self.now - at).days
            roll = rng.random()
            officer = self.officers[rng.randrange(len(self.officers))]
            if age < 12 and roll < 0.5:
                specs.append((at, unit, rng.choice(cats), None, None, None, "new"))
            elif roll < 0.3 and self.case_opened and self.case_opened[0] < at:
                cid = rng.randrange(bisect.bisect_left(self.case_opened, at)) + 1
                specs.append((at, self.case_unit[cid - 1], rng.choice(cats), cid, officer,
                              at + timedelta(hours=rng.randint(2, 72)), "linked"))
            elif roll < 0.75:
                specs.append((at, unit, rng.choice(cats), None, officer, at + timedelta(hours=rng.randint(2, 120)),
                              "rejected"))
            else:
                specs.append((at, unit, rng.choice(cats), None, officer, None, "assigned"))
        specs.sort(key=lambda s: (s[0], s[3] or 0, s[1]))
        self.signal_years: dict[int, int] = {}
        self.w.stream("signals", Signal, self._signal_rows(specs), len(specs))
        self.counters += [("signal", y, n) for y, n in self.signal_years.items()]

    def _signal_rows(self, specs: list[tuple]) -> Iterable[dict]:
        rng, channels = self.rng, list(CHANNELS)
        weights = [30, 14, 12, 5, 5, 4, 8, 6, 6, 6, 4]
        names_of = {r["id"]: r["name"] for r in self.unit_rows}
        for sid, (at, unit, category, cid, officer, triaged, status) in enumerate(specs, start=1):
            received = self._local_day(at)
            year = received.year
            self.signal_years[year] = self.signal_years.get(year, 0) + 1
            channel = rng.choices(channels, weights)[0]
            discovered = received - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 4)))
            station = self.station_of[unit] if channel == "monitoring_station" else None
            anonymous = channel == "public_web"
            summary = rng.choice(SUMMARIES[category])
            yield {
                "id": sid, "number": signal_number(year, self.signal_years[year]), "channel": channel,
                "unit_id": unit, "unit_name_given": None, "station_id": station, "discovered_on": discovered,
                "received_at": at, "category": category, "summary": f"{names_of[unit]}{summary}"[:200],
                "details": f"反映{names_of[unit]}{summary}，请核查。",
                "source_details": {k: f"{year}-{rng.randint(1, 9999):04d}" for k in CHANNELS[channel][1]},
                "reporter_id": self.monitor_of[station] if station else None, "anonymous": anonymous,
                "receipt_hash": hashlib.sha256(f"province-{self.seed}-{sid}".encode()).hexdigest() if anonymous
                else None,
                "reporter_contact": None,
                "late": station is not None and self.add_workdays(discovered, 1) < received,
                "status": status, "department": "第一纪检监察室" if officer else None, "officer_id": officer,
                "handling_due": self.add_workdays(received, 10) if officer else None, "case_id": cid,
                "outcome_reason": "经初核，反映问题不属实。" if status == "rejected" else None,
                "triaged_at": triaged, "triaged_by_id": officer if triaged else None,
            }

    # ---------------------------------------------------------------- scoring inputs
    def inputs(self) -> None:
        """Two full years of control checks, surveys, findings, sanctions and awards, and three years of
        cost records (trend needs the year before); each unit has a steady 'quality' so colours spread."""
        rng, years = self.rng, (self.first_year, self.first_year + 1)
        quality = {u: min(1.0, max(0.5, rng.gauss(0.84, 0.06))) for u in self.unit_ids}
        kinds = sorted(set(self.unit_kind.values()))
        if not db.session.scalar(select(func.count(RiskPoint.id))):
            self.w.put(RiskPoint, [{"unit_kind": k, "code": f"{k[:3].upper()}{i}", "name": f"风险点{i}：{c}",
                                    "weight": Decimal(1)} for k in kinds for i, c in
                                   enumerate(("三资管理", "财务审批", "工程招投标", "物资采购", "选人用人"), start=1)])
        checks, surveys, findings, sanctions, awards = [], [], [], [], []
        projects = ("economic_subject", "public_opinion", "service_object", "internal_staff")
        sources = ("audit", "social", "media", "people_congress", "cppcc", "inspection")
        total = len(years) * len(self.unit_ids)
        done = 0
        for year in years:
            for u in self.unit_ids:
                qual = quality[u]
                for quarter in (1, 2, 3, 4):
                    at = datetime.combine(date(year, 3 * quarter, 25), time(10), tzinfo=clock.CST)
                    for i in range(1, 6):
                        roll = rng.random()
                        result = "pass" if roll < qual else ("partial" if roll < qual + (1 - qual) / 2 else "fail")
                        checks.append({"unit_id": u, "year": year, "quarter": quarter, "item": f"风险点{i}",
                                       "weight": Decimal(1), "result": result, "created_at": at})
                    if quarter in (2, 4):
                        for p in projects:
                            rate = min(1.0, max(0.4, rng.gauss(qual, 0.06)))
                            surveys.append({"unit_id": u, "year": year, "quarter": quarter, "project": p,
                                            "rate": Decimal(f"{rate:.4f}"), "respondents": rng.randint(20, 200),
                                            "created_at": at})
                    if rng.random() < (1 - qual) * 0.8:
                        findings.append({"unit_id": u, "year": year, "quarter": quarter, "source": rng.choice(sources),
                                         "severity": rng.choices(("minor", "moderate", "serious"), (70, 25, 5))[0],
                                         "found_on": date(year, 3 * quarter - 1, rng.randint(1, 28)),
                                         "summary": "监督检查发现问题", "created_at": at})
                    if rng.random() < 0.025:
                        kind = rng.choices(("admin_finding", "warning", "serious_warning", "removal", "probation",
                                            "expulsion", "criminal"), (40, 30, 12, 8, 5, 3, 2))[0]
                        conduct = date(year - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
                        sanctions.append({"unit_id": u, "year": year, "quarter": quarter, "person": names.person(rng),
                                          "subject": rng.choices(("principal", "team_member", "staff"), (15, 35, 50))[0],
                                          "kind": kind, "conduct_on": conduct,
                                          "decided_on": date(year, 3 * quarter - 1, rng.randint(1, 28)),
                                          "case_id": None, "summary": "违纪问题", "created_at": at})
                    if rng.random() < 0.08:
                        awards.append({"unit_id": u, "year": year, "quarter": quarter,
                                       "kind": rng.choice(("innovation", "self_discovery", "cooperation")),
                                       "summary": "获表彰", "created_at": at})
                done += 1
                if len(checks) >= 4 * CHUNK:
                    self._flush_inputs(checks, surveys, findings, sanctions, awards)
                    self.w.progress("inputs", done, total)
        self._flush_inputs(checks, surveys, findings, sanctions, awards)
        self.w.progress("inputs", done, total)
        costs = []
        for u in self.unit_ids:
            row = self.unit_rows[u - 1]
            per_head = COST_PER_HEAD[row["kind"]] * rng.uniform(0.85, 1.15) * 10_000
            for year in (self.first_year - 1, *years):
                head = max(1, row["headcount"] + rng.randint(-2, 2))
                cost = per_head * head * (1 + rng.gauss(0.03, 0.05)) ** (year - self.first_year + 1)
                costs.append({"unit_id": u, "year": year, "admin_cost": Decimal(f"{cost:.2f}"),
                              "budget": Decimal(f"{cost * rng.uniform(1.0, 1.12):.2f}"), "headcount": head,
                              "created_at": self.created})
        self.w.put(CostRecord, costs)

    def _flush_inputs(self, *lists: list[dict]) -> None:
        for model, rows in zip((ControlCheck, SurveyResult, SupervisionFinding, Sanction, IncentiveAward), lists,
                               strict=True):
            if rows:
                self.w.put(model, rows)
                rows.clear()
