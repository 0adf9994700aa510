"""The province dataset's cases: each walked through the state machine exactly as ``case_transition``
would record it (events hash-chained by ``caseflow.services.audit.event_hash``, deadlines by the
working-day calendar, evidence, notices and receipts with their frozen contexts)."""
from __future__ import annotations

import bisect
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from flask import current_app

from caseflow import clock
from caseflow.demo.district import SUMMARIES
from caseflow.documents.templating import plain
from caseflow.models import (
    CATEGORIES,
    Attachment,
    Case,
    CaseEvent,
    DeadlineChange,
    Document,
)
from caseflow.services import document_contexts
from caseflow.services import documents as document_service
from caseflow.services.audit import GENESIS, event_hash, jsonable
from caseflow.services.numbering import case_number, document_number
from caseflow.states import DEADLINE_CLEARS, DEADLINES, TRIGGERS

if TYPE_CHECKING:
    from caseflow.demo.province import Prepared

CHUNK = 5_000
# (weight, triggers after ``open``); the last trigger decides the state. Open paths end recently.
PATHS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (38, ("issue_notice", "acknowledge", "submit_report", "accept")),
    (6, ("issue_notice", "acknowledge", "submit_report", "reject", "submit_report", "accept")),
    (3, ("issue_notice", "acknowledge", "escalate", "order_talk", "record_talk", "submit_report", "accept")),
    (2, ("issue_notice", "acknowledge", "escalate", "order_inquiry", "record_inquiry", "submit_report", "accept")),
    (1, ("issue_notice", "escalate", "order_talk", "record_talk", "submit_report", "accept")),
    (1, ("issue_notice", "acknowledge", "submit_report", "accept", "reopen", "submit_report", "accept")),
    (10, ("dismiss",)),
    (1, ("issue_notice", "acknowledge", "escalate", "order_talk", "refer")),
    (1, ("issue_notice", "acknowledge", "submit_report", "reject", "submit_report", "reject", "refer")),
    (6, ()),
    (5, ("issue_notice",)),
    (10, ("issue_notice", "acknowledge")),
    (1.5, ("issue_notice", "acknowledge", "submit_report", "reject")),
    (1, ("issue_notice", "acknowledge", "escalate", "order_talk", "record_talk")),
    (0.5, ("issue_notice", "acknowledge", "submit_report", "accept", "reopen")),
    (5, ("issue_notice", "acknowledge", "submit_report")),
    (2, ("issue_notice", "acknowledge", "escalate")),
    (1, ("issue_notice", "escalate")),
    (1.5, ("issue_notice", "acknowledge", "escalate", "order_talk")),
    (1, ("issue_notice", "acknowledge", "escalate", "order_inquiry")),
)
TERMINAL_END = {"accept", "dismiss", "refer"}
# Days the last event of an open case lies before now: (low, high) — wide enough that some are overdue.
OPEN_GAP = {"detected": (0, 20), "notice_issued": (0, 5), "rectifying": (0, 20), "verifying": (0, 8)}
DELAYS = {"issue_notice": (1, 10), "dismiss": (2, 20), "accept": (1, 7), "reject": (1, 7), "order_talk": (2, 12),
          "order_inquiry": (2, 12), "record_talk": (3, 20), "record_inquiry": (3, 20), "refer": (5, 30),
          "reopen": (20, 120), "escalate": (1, 10)}
SWEEP_HOUR = time(6, 0)
CST_OFFSET = timedelta(hours=8)  # China Standard Time has had no daylight saving since 1991
FIELD_DEFAULTS = {name: {f.name: f.default for f in spec.fields} for name, spec in TRIGGERS.items()}


class CaseSteps:
    """The case steps of ``ProvinceBuilder`` (a mixin: the builder holds the state)."""

    # ---------------------------------------------------------------- time helpers
    def add_workdays(self, start: date, n: int) -> date:
        """``WorkCalendar.add_workdays`` over the precomputed list (same answer, no day-by-day walk)."""
        ix = bisect.bisect_right(self.workdays, start) + n - 1
        return self.workdays[ix] if 0 <= ix < len(self.workdays) and n > 0 else self.cal.add_workdays(start, n)

    @staticmethod
    def _at(rng: random.Random, day: date, after: datetime | None = None, at: time | None = None) -> datetime:
        """An instant on ``day`` in office hours (CST, a fixed UTC+8), later than ``after``; UTC, whole seconds."""
        instant = datetime.combine(day, at or time(8 + int(rng.random() * 10), int(rng.random() * 60)),
                                   tzinfo=UTC) - CST_OFFSET
        if after is not None and instant <= after:
            instant = after + timedelta(minutes=5 + int(rng.random() * 85))
        return instant

    @staticmethod
    def _local_day(at: datetime) -> date:
        return (at + CST_OFFSET).date()

    # ---------------------------------------------------------------- cases
    def _simulate(self, seed: int, path: tuple[str, ...], first_day: date, unit_id: int, handler: int,
                  origin: str) -> tuple[list[tuple], dict]:
        """Walk ``path`` from ``first_day`` exactly as ``case_transition`` would record it: events
        (trigger, from, to, actor id, role, at, data, deadline changes) and the final case state."""
        r = random.Random(seed)
        st = {"state": "detected", "ack_due": None, "rectify_due": None, "verify_due": None, "severity": None,
              "rectify_workdays": None, "reject_count": 0, "notice_deduction": None, "closed_at": None}
        at = self._at(r, first_day)
        events = [("open", None, "detected", handler, "officer", at, None, [])]
        on_time = True
        for trigger in path:
            frm, day = st["state"], self._local_day(at)
            actor, role, hour = handler, "officer", None
            data = dict(FIELD_DEFAULTS[trigger])
            if trigger == "acknowledge":
                day += timedelta(days=r.randint(0, max((st["ack_due"] - day).days, 0)))
                if r.random() < 0.3:
                    data["method"] = "paper"
                else:
                    data["method"], actor, role = "system", self.leader_of[unit_id], "unit_leader"
            elif trigger == "submit_report":
                room = (st["rectify_due"] - day).days
                day += timedelta(days=r.randint(min(3, max(room, 0)), max(room, 0)))
                actor, role = self.leader_of[unit_id], "unit_leader"
                data.update(report="已按告知书要求完成整改，整改报告及佐证材料附后。", attachment_ids=[0])
            elif trigger == "escalate":
                due = st["ack_due"] if frm == "notice_issued" else st["rectify_due"]
                if frm == "notice_issued" or r.random() < 0.7:
                    data["reason"] = "overdue_acknowledgement" if frm == "notice_issued" else "overdue_rectification"
                    data["note"] = f"{'acknowledge' if frm == 'notice_issued' else 'rectify'} due {due.isoformat()}"
                    day, actor, role, hour = due + timedelta(days=1), None, "system", SWEEP_HOUR
                else:
                    day += timedelta(days=r.randint(*DELAYS["escalate"]))
                    data["reason"] = "manual"
            else:
                day += timedelta(days=r.randint(*DELAYS[trigger]))
                if trigger in ("order_talk", "order_inquiry", "refer", "reopen"):
                    actor, role = self.supervisors[seed % len(self.supervisors)], "supervisor"
            at = self._at(r, day, after=at, at=hour)
            if data.get("method") == "paper":  # delivered on paper some hours before it was recorded
                data["delivered_at"] = clock.local(max(at - timedelta(hours=r.randint(1, 20)), events[-1][5]))
            if trigger == "issue_notice":
                severity = r.choices(("minor", "moderate", "serious"), (50, 35, 15))[0]
                data.update(severity=severity, findings="经核查，反映问题基本属实，存在廉政风险。",
                            requirements="请于期限内完成整改并书面报告整改情况。",
                            rectify_workdays=r.choice((20, 20, 20, 15, 30, 10)))
                st["severity"], st["rectify_workdays"] = severity, data["rectify_workdays"]
                points = Decimal({"minor": 1, "moderate": 2, "serious": 4}[severity])
                st["notice_deduction"] = (points / 2 if origin == "self_report" else points).quantize(Decimal("0.0001"))
            elif trigger == "submit_report":
                on_time = st["rectify_due"] is None or self._local_day(at) <= st["rectify_due"]
                data.update(rectify_due=st["rectify_due"], on_time=on_time)
            elif trigger == "accept":
                data.update(note="整改到位，核查通过。", on_time=on_time)
            elif trigger in ("reject", "reopen"):
                data.update(reason="整改不到位，需继续整改。" if trigger == "reject" else "问题反弹，重新整改。",
                            rectify_workdays=r.choice((None, 10, 15)))
            elif trigger == "dismiss":
                data["reason"] = r.choices(("unfounded", "duplicate", "out_of_scope"), (70, 20, 10))[0]
            elif trigger in ("order_talk", "order_inquiry"):
                data["kind"] = r.choice(("integrity_talk", "admonishment_talk") if trigger == "order_talk"
                                        else ("inquiry", "questioning"))
                data["with_whom" if trigger == "order_talk" else "whom"] = "单位主要负责人" if trigger == "order_talk" \
                    else "单位领导班子"
                if trigger == "order_talk":
                    data["scheduled_on"] = day + timedelta(days=r.randint(2, 7))
            elif trigger in ("record_talk", "record_inquiry"):
                data.update(minutes="谈话已进行，当事人表示将立即整改。", rectify_workdays=r.choice((10, 15, 20)))
            elif trigger == "refer":
                data["reason"] = "问题严重，移送审查调查。"
            to = TRIGGERS[trigger].dest
            if trigger == "reject":
                to = "escalated" if st["reject_count"] >= 1 else "rectifying"
                st["reject_count"] += 1
            st["state"] = to
            st["closed_at"] = at if to in ("closed", "dismissed", "referred") else None
            events.append((trigger, frm, to, actor, role, at, data, self._deadlines(st, to, data, at, trigger)))
        return events, st

    def _deadlines(self, st: dict, to: str, data: dict, at: datetime, trigger: str) -> list[tuple]:
        """``services.deadlines.deadlines_apply`` on plain values: (kind, old, new) changes."""
        cols = {"acknowledge": "ack_due", "rectify": "rectify_due", "verify": "verify_due"}
        out = []
        for kind in DEADLINE_CLEARS.get(to, ()):
            if st[cols[kind]] is not None:
                out.append((kind, st[cols[kind]], None))
                st[cols[kind]] = None
        rule = DEADLINES.get(to)
        if rule is not None:
            start = self._local_day(at)
            given = data.get(rule.from_field) if rule.from_field else None
            if isinstance(given, datetime):
                start = clock.local(given).date()
            workdays = data.get(rule.workdays_field) if rule.workdays_field else None
            if not workdays:
                workdays = st["rectify_workdays"] if rule.kind == "rectify" and st["rectify_workdays"] else \
                    self.default_workdays[rule.kind]
            due = self.add_workdays(start, int(workdays))
            if due != st[cols[rule.kind]]:
                out.append((rule.kind, st[cols[rule.kind]], due))
                st[cols[rule.kind]] = due
        return out

    def case_specs(self) -> None:
        """Choose every case's unit, path and dates; a case is re-walked when written (little memory)."""
        rng, n = self.rng, self.size["cases"]
        weights = [w for w, _ in PATHS]
        start_day, specs = self.start.date(), []
        units = self.unit_ids
        for i in range(n):
            path_ix = rng.choices(range(len(PATHS)), weights)[0]
            path = PATHS[path_ix][1]
            unit = units[int(len(units) * rng.random() ** 1.3)]  # some units attract more cases
            handler = self.officers[rng.randrange(len(self.officers))]
            origin = rng.choices(("signal", "self_report", "manual"), (85, 8, 7))[0]
            category = rng.choice(list(CATEGORIES))
            seed = rng.getrandbits(62)
            events, st = self._simulate(seed, path, start_day, unit, handler, origin)
            span = (self._local_day(events[-1][5]) - start_day).days
            if path and path[-1] in TERMINAL_END:
                latest = (self.today - start_day).days - span - 2
                first = start_day + timedelta(days=rng.randint(0, max(latest, 0)))
            else:
                low, high = OPEN_GAP.get(st["state"], (0, 30))
                first = self.today - timedelta(days=rng.randint(low, high) + span)
            opened = self._at(random.Random(seed), first)  # the walk's first draw: its opening instant
            near_now = not (path and path[-1] in TERMINAL_END) or first + timedelta(days=span + 30) > self.today
            for _ in range(6 if near_now else 0):  # the walk shifts with the calendar: end it by now
                events, st = self._simulate(seed, path, first, unit, handler, origin)
                over = (events[-1][5] - self.now).total_seconds()
                opened = events[0][5]
                if over <= 0:
                    break
                first -= timedelta(days=int(over // 86400) + 1)
            specs.append((opened, i, seed, path_ix, first, unit, handler, origin, category))
            if (i + 1) % CHUNK == 0:
                self.w.progress("plan", i + 1, n)
        self.w.progress("plan", n, n)
        specs.sort()
        self.case_specs_sorted = specs
        self.case_opened = [s[0] for s in specs]

    def cases(self) -> None:
        """Write the cases in opening order with numbers per year, their events (hash-chained by the
        audit module's own function), deadline history, evidence metadata; collect notices and signals.

        A case's number and the ids of its events and attachments follow from the cases before it
        (one event per trigger of its path, one attachment per report), so blocks of cases are
        generated independently, in worker processes where the machine has the cores."""
        per_year: dict[int, int] = {}
        numbering: list[tuple[str, int, int]] = []  # per case: number, events and attachments before it
        ev_id = att_id = 0
        for opened, _i, _seed, path_ix, *_rest in self.case_specs_sorted:
            year = self._local_day(opened).year
            per_year[year] = per_year.get(year, 0) + 1
            numbering.append((case_number(year, per_year[year]), ev_id, att_id))
            path = PATHS[path_ix][1]
            ev_id += len(path) + 1
            att_id += path.count("submit_report")
        self.counters = [("case", y, n) for y, n in per_year.items()]
        self.case_numbering = numbering
        self.notices: list[tuple] = []
        self.receipts: list[tuple] = []
        self.case_signals: list[tuple] = []
        self.case_unit: list[int] = []
        self.open_cases = 0
        total = len(self.case_specs_sorted)
        blocks = [(lo, min(lo + self.block, total)) for lo in range(0, total, self.block)]
        for (_lo, hi), block in zip(blocks, self.in_workers(self._case_block, blocks), strict=True):
            for prepared in block.rows:
                self.w.write(prepared)
            self.notices += block.notices
            self.receipts += block.receipts
            self.case_signals += block.case_signals
            self.case_unit += block.case_unit
            self.open_cases += block.open_cases
            self.w.progress("cases", hi, total)

    def _case_block(self, block: tuple[int, int]) -> SimpleNamespace:
        """The rows of the cases ``block`` (a range of opening ranks), prepared for the driver, with
        what later steps need of them."""
        names_of = self.unit_names
        out = SimpleNamespace(rows=[], notices=[], receipts=[], case_signals=[], case_unit=[], open_cases=0)
        cases, events_rows, changes, attachments = [], [], [], []
        for index in range(*block):
            opened, _i, seed, path_ix, first, unit, handler, origin, category = self.case_specs_sorted[index]
            cid = index + 1
            number, ev_id, att_id = self.case_numbering[index]
            path = PATHS[path_ix][1]
            events, st = self._simulate(seed, path, first, unit, handler, origin)
            r = random.Random(seed ^ 0x5A5A)
            title = f"{names_of[unit]}{r.choice(SUMMARIES[category])}"[:200]
            prev = GENESIS
            for seq, (trigger, frm, to, actor, role, at, data, dchanges) in enumerate(events, start=1):
                ev_id += 1
                if trigger == "open":
                    data = {"title": title, "category": category, "origin": origin}
                elif trigger == "submit_report":
                    att_id += 1
                    data = {**data, "attachment_ids": [att_id]}
                    attachments.append({"id": att_id, "case_id": cid, "event_id": ev_id, "uploaded_by_id": actor,
                                        "filename": "整改佐证材料.pdf", "content_type": "application/pdf",
                                        "size": r.randint(40_000, 2_000_000),
                                        "sha256": f"{r.getrandbits(256):064x}", "created_at": at - timedelta(minutes=3)})
                elif trigger == "issue_notice":
                    ack_due = next(new for kind, _old, new in dchanges if kind == "acknowledge")
                    out.notices.append((at, cid, unit, ev_id, actor, number, title, data, ack_due))
                elif trigger == "acknowledge":
                    rectify_due = next(new for kind, _old, new in dchanges if kind == "rectify")
                    out.receipts.append((at, cid, unit, ev_id, actor, number, title, data, rectify_due, handler))
                ev = SimpleNamespace(id=ev_id, case_id=cid, seq=seq, trigger=trigger, from_state=frm, to_state=to,
                                     actor_id=actor, actor_role=role, at=at, data=jsonable(data), prev_hash=prev)
                ev.hash = prev = event_hash(ev)
                events_rows.append(vars(ev))
                for kind, old, new in dchanges:
                    changes.append({"case_id": cid, "event_id": ev_id, "kind": kind, "old_due": old,
                                    "new_due": new, "at": at, "reason": trigger})
            cases.append({"id": cid, "number": number, "unit_id": unit, "title": title,
                          "category": category, "severity": st["severity"], "origin": origin, "annual_year": None,
                          "state": st["state"], "version": len(events), "handler_id": handler,
                          "reject_count": st["reject_count"], "rectify_workdays": st["rectify_workdays"],
                          "notice_deduction": st["notice_deduction"], "ack_due": st["ack_due"],
                          "rectify_due": st["rectify_due"], "verify_due": st["verify_due"], "opened_at": opened,
                          "updated_at": events[-1][5], "closed_at": st["closed_at"]})
            out.open_cases += st["state"] not in ("closed", "dismissed", "referred")
            out.case_unit.append(unit)
            if origin == "signal":
                out.case_signals.append((opened - timedelta(days=r.randint(0, 8), minutes=r.randint(30, 600)),
                                         unit, category, cid, handler, opened))
        out.rows = [self.w.prepare(model, rows) for model, rows in
                    ((Case, cases), (CaseEvent, events_rows), (DeadlineChange, changes), (Attachment, attachments))]
        return out

    def documents(self) -> None:
        """A 预警告知书 per ``issue_notice``, numbered per year in issue order without gaps, and a 送达回证
        per ``acknowledge``, each with the frozen context and hash the documents service would have
        issued (``services.document_contexts``), so they verify and render on download. Numbers and
        ids are given here; the contexts are made in blocks (in worker processes where possible),
        the notices first, as each receipt quotes its notice."""
        prefix = current_app.config.get("NOTICE_PREFIX", "镇纪预告")
        per_year: dict[int, int] = {}
        self.notice_docs: list[tuple[str, int, tuple]] = []
        for notice in sorted(self.notices, key=lambda n: (n[0], n[1])):
            year = self._local_day(notice[0]).year
            per_year[year] = per_year.get(year, 0) + 1
            self.notice_docs.append((document_number(prefix, year, per_year[year]), year, notice))
        self.receipt_docs = sorted(self.receipts, key=lambda n: (n[0], n[1]))
        total, done = len(self.notice_docs) + len(self.receipt_docs), 0
        self.notice_of: dict[int, tuple[str, dict]] = {}
        for step, count in ((self._notice_block, len(self.notice_docs)), (self._receipt_block, len(self.receipt_docs))):
            blocks = [(lo, min(lo + self.block, count)) for lo in range(0, count, self.block)]
            for (lo, hi), (prepared, notices) in zip(blocks, self.in_workers(step, blocks), strict=True):
                self.w.write(prepared)
                self.notice_of.update(notices)
                done += hi - lo
                self.w.progress("documents", done, total)
        self.counters += [(prefix, y, n) for y, n in per_year.items()]

    def _notice_block(self, block: tuple[int, int]) -> tuple[Prepared | None, dict[int, tuple[str, dict]]]:
        """The notices ``block`` (a range of issue ranks), prepared, and each case's notice number and context."""
        rows, notices = [], {}
        for index in range(*block):
            doc_number, year, (at, cid, unit, ev, actor, number, title, data, ack_due) = self.notice_docs[index]
            case = self._case_view(number, title, self.unit_rows[unit - 1], data.get("severity"),
                                   data.get("rectify_workdays"), ack_due=ack_due,
                                   rectify_due=self.add_workdays(self._local_day(at), data.get("rectify_workdays") or 20))
            context, digest = self._frozen("notice", at, doc_number, case, data, at, self.user_info.get(actor))
            notices[cid] = (doc_number, context)
            rows.append({"id": index + 1, "kind": "notice", "number": doc_number, "year": year, "version": 1,
                         "case_id": cid, "unit_id": unit, "event_id": ev, "period": str(year),
                         "title": f"预警告知书（{title}）"[:200], "context": context, "sha256": digest,
                         "created_at": at, "created_by_id": actor})
        return self.w.prepare(Document, rows), notices

    def _receipt_block(self, block: tuple[int, int]) -> tuple[Prepared | None, dict]:
        """The receipts ``block`` (a range of acknowledgement ranks), prepared."""
        rows, first_id = [], len(self.notice_docs) + 1
        for index in range(*block):
            at, cid, unit, ev, actor, number, title, data, rectify_due, handler = self.receipt_docs[index]
            doc_number, notice_context = self.notice_of[cid]
            notice = SimpleNamespace(number=doc_number, context=notice_context)
            case = self._case_view(number, title, self.unit_rows[unit - 1], None, None, rectify_due=rectify_due,
                                   handler=self.user_info.get(handler))
            context, digest = self._frozen("receipt", at, None, case, notice, data, at, self.user_info.get(actor), None)
            year = self._local_day(at).year
            rows.append({"id": first_id + index, "kind": "receipt", "number": None, "year": year, "version": 1,
                         "case_id": cid, "unit_id": unit, "event_id": ev, "period": str(year),
                         "title": f"送达回证（{doc_number}）"[:200], "context": context, "sha256": digest,
                         "created_at": at, "created_by_id": actor})
        return self.w.prepare(Document, rows), {}

    @staticmethod
    def _case_view(number: str, title: str, unit: dict, severity, workdays, ack_due=None, rectify_due=None,
                   handler=None) -> SimpleNamespace:
        """What the context builders read of a case, as it stood at that event."""
        return SimpleNamespace(number=number, title=title, severity=severity, rectify_workdays=workdays,
                               ack_due=ack_due, rectify_due=rectify_due, handler=handler,
                               unit=SimpleNamespace(name=unit["name"], principal_leader=unit["principal_leader"]))

    def _frozen(self, kind: str, at: datetime, number: str | None, *args) -> tuple[dict, str]:
        """``services.documents.document_issue``'s frozen context and hash, from the context builder of
        ``kind`` called with ``args``. (The builders ask ``get_calendar()``, kept on ``flask.g`` for
        the app context: the builder's own calendar, no query per document.)"""
        context = getattr(document_contexts, f"{kind}_context")(*args)
        if number is not None:
            context["number"] = number
        context.setdefault("organ", current_app.config["ORGAN_NAME"])
        context.setdefault("issued_on", self._local_day(at).isoformat())
        frozen = json.loads(document_service.canonical_json(plain(dict(context))))
        return frozen, document_service.document_hash(kind, frozen)
