"""Accessibility: axe-core (vendored) on every main page, table alternatives for charts,
and keyboard navigation reaching every action of a case page.

Fails on any ``serious`` or ``critical`` axe violation; the counts per page and impact are
written to screenshots/axe-results.json.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE
from tests.browser.helpers import login, run_axe

pytestmark = pytest.mark.browser
BLOCKING = ("serious", "critical")


def _one(server, sql: str, *args) -> int:
    rows = server.query(sql, *args)
    assert rows, sql
    return rows[0][0]


def _pages(server) -> list[tuple[str | None, str, str, dict | None]]:
    """(user or None for the public, page name, path, viewport) for each main page."""
    leader_unit = _one(server, "SELECT unit_id FROM user WHERE username = 'leader'")
    new_signal = _one(server, "SELECT id FROM signal WHERE status IN ('new', 'assigned') ORDER BY id DESC LIMIT 1")
    case = _one(server, "SELECT id FROM \"case\" WHERE state = 'rectifying' ORDER BY id DESC LIMIT 1")
    return [
        (None, "login", "/login", None),
        (None, "public-complaint", "/public/complaint", PHONE),
        (None, "public-track", "/public/complaint/track", PHONE),
        (None, "public-board", "/public/grades", None),
        ("officer", "home-officer", "/", None),
        ("officer", "case-queue", "/cases/", None),
        ("officer", "case-page", f"/cases/{case}", None),
        ("officer", "signal-queue", "/signals/", None),
        ("officer", "signal-triage", f"/signals/{new_signal}", None),
        ("officer", "record-signal", "/intake/record", None),
        ("officer", "board", "/board/", None),
        ("officer", "unit-page", f"/units/{leader_unit}", None),
        ("officer", "index-breakdown", f"/units/{leader_unit}/index", None),
        ("leader", "home-leader", "/", None),
        ("leader", "leader-unit-index", f"/units/{leader_unit}/index", None),
        ("supervisor", "home-supervisor", "/", None),
        ("supervisor", "grades", "/grades?year=2025", None),
        ("monitor", "home-monitor", "/", PHONE),
        ("monitor", "rapid-report", "/intake/rapid", PHONE),
        ("admin", "home-admin", "/", None),
        ("auditor", "home-auditor", "/", None),
    ]


def test_axe_on_main_pages(new_page, server, axe_results):
    pages: dict[tuple, object] = {}
    failures, missing_tables, chart_total = [], [], 0
    for user, name, path, viewport in _pages(server):
        key = (user, bool(viewport))
        if key not in pages:
            page = new_page(viewport=viewport) if viewport else new_page()
            if user:
                login(page, user)
            pages[key] = page
        page = pages[key]
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        page.wait_for_load_state("load")
        violations = run_axe(page)
        counts = {impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
                  for impact in ("critical", "serious", "moderate", "minor")}
        axe_results[name] = {"path": path, "user": user or "public", "counts": counts,
                             "violations": [{k: v[k] for k in ("id", "impact", "nodes", "targets")} for v in violations]}
        failures += [f"{name} ({path}): {v['impact']} {v['id']} — {v['help']} — {v['targets']}"
                     for v in violations if v["impact"] in BLOCKING]
        # Every chart has its numbers as a table next to it.
        charts, bare = page.evaluate("""() => {
            const all = [...document.querySelectorAll('.chart')];
            return [all.length, all.filter(c => !(c.closest('figure') || c.parentElement).querySelector('table')).length];
        }""")
        axe_results[name]["charts"] = charts
        chart_total += charts
        if bare:
            missing_tables.append(f"{name}: {bare} chart(s) without a table alternative")
    assert not failures, "serious/critical axe violations:\n" + "\n".join(failures)
    assert not missing_tables, "\n".join(missing_tables)
    assert chart_total > 0, "no chart found on the main pages: the table-alternative check checked nothing"


def test_every_field_has_a_label(new_page, server):
    """Belt and braces next to axe's ``label`` rule: each visible form control has an accessible name."""
    page = new_page()
    login(page, "officer")
    signal = _one(server, "SELECT id FROM signal WHERE status IN ('new', 'assigned') ORDER BY id DESC LIMIT 1")
    for path in ("/intake/record", f"/signals/{signal}", "/cases/"):
        page.goto(path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll(
                'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea')]
            .filter(e => e.getClientRects().length)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !e.getAttribute('aria-labelledby') && !e.getAttribute('title'))
            .map(e => e.name || e.id)""")
        assert not unlabelled, f"{path}: fields without a label: {unlabelled}"


def test_keyboard_reaches_every_action_of_a_case_page(new_page, server):
    case = _one(server, "SELECT id FROM \"case\" WHERE state = 'verifying' ORDER BY id DESC LIMIT 1")
    page = new_page()
    login(page, "officer")
    page.goto(f"/cases/{case}")
    # Open every action so its fields count as visible controls too.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    total = page.evaluate("""() => {
        const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
        const items = [...document.querySelectorAll(sel)].filter(e =>
            e.getClientRects().length && !e.disabled && e.tabIndex >= 0
            && getComputedStyle(e).visibility !== 'hidden');
        items.forEach((e, i) => e.setAttribute('data-kbd', i));
        return items.length;
    }""")
    assert total > 5
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen: set[int] = set()
    for _ in range(total * 2 + 10):
        page.keyboard.press("Tab")
        idx = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-kbd')")
        if idx is not None:
            seen.add(int(idx))
        if len(seen) == total:
            break
    missing = sorted(set(range(total)) - seen)
    labels = page.evaluate("""(ids) => ids.map(i => {
        const e = document.querySelector(`[data-kbd="${i}"]`);
        return e.tagName + ':' + (e.name || e.textContent.trim().slice(0, 30));
    })""", missing)
    assert not missing, f"not reachable with Tab: {labels}"
