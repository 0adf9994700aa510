"""The state diagram generated from the definition: Mermaid, DOT and our own SVG."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from caseflow.states import MACHINE, STATE_LABELS, STATES, TRIGGERS
from caseflow.states.diagram import to_dot, to_mermaid, to_svg

SVG = "{http://www.w3.org/2000/svg}"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def machine_edges() -> set[tuple[str, str]]:
    """Every (source, dest) pair the built machine can take."""
    return {(t.source, t.dest) for event in MACHINE.events.values()
            for transitions in event.transitions.values() for t in transitions}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("render", [to_mermaid, to_dot, to_svg])
def test_every_state_and_trigger_appears(render, lang):
    text = render(lang=lang)
    index = 0 if lang == "zh" else 1
    for state in STATES:
        assert state in text and STATE_LABELS[state][index] in text
    for spec in TRIGGERS.values():
        assert (spec.label_zh if lang == "zh" else spec.label_en) in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_svg_parses_and_draws_every_edge(lang):
    root = ET.fromstring(to_svg(lang=lang))
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    groups = list(root.iter(f"{SVG}g"))
    states = {g.get("data-state") for g in groups if g.get("data-state")}
    edges = [g for g in groups if g.get("class") == "edge"]
    assert states == set(STATES)
    assert {(g.get("data-source"), g.get("data-dest")) for g in edges} == machine_edges()
    assert {name for g in edges for name in g.get("data-trigger").split()} == set(TRIGGERS)


def test_svg_is_self_contained():
    text = to_svg(lang="zh")
    assert "<script" not in text and "href" not in text and "@import" not in text
    assert re.findall(r"https?://[^\"']+", text) == ["http://www.w3.org/2000/svg"]


def test_svg_layout_is_layered_and_boxes_do_not_overlap():
    root = ET.fromstring(to_svg())
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("data-state"):
            r = g.find(f"{SVG}rect")
            boxes[g.get("data-state")] = tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
    ys = {state: box[1] for state, box in boxes.items()}
    assert ys["detected"] < ys["notice_issued"] < ys["rectifying"] < ys["verifying"] < ys["closed"]
    assert ys["notice_issued"] == ys["dismissed"]
    items = list(boxes.values())
    for i, (x1, y1, w1, h1) in enumerate(items):
        for x2, y2, w2, h2 in items[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_current_state_is_highlighted():
    root = ET.fromstring(to_svg(current="talk"))
    current = [g.get("data-state") for g in root.iter(f"{SVG}g") if g.get("class") == "state current"]
    assert current == ["talk"]
    assert not [g for g in ET.fromstring(to_svg()).iter(f"{SVG}g") if g.get("class") == "state current"]
    assert "class talk current" in to_mermaid(current="talk")
    assert "class" not in to_mermaid().split("classDef current")[1].replace("class dismissed,referred", "")
    talk_line = next(line for line in to_dot(current="talk").splitlines() if line.strip().startswith("talk ["))
    assert "penwidth" in talk_line


def test_mermaid_and_dot_are_well_formed():
    mermaid = to_mermaid()
    assert mermaid.startswith("stateDiagram-v2\n") and "[*] --> detected" in mermaid
    arrows = {tuple(m) for m in re.findall(r"^\s+(\w+) --> (\w+) :", mermaid, re.M)}
    assert arrows == machine_edges()
    dot = to_dot(lang="zh")
    assert dot.startswith("digraph case_states {") and dot.rstrip().endswith("}")
    assert {tuple(m) for m in re.findall(r"^\s+(\w+) -> (\w+) ", dot, re.M)} == machine_edges()


def test_rendered_docs_are_current():
    assert (DOCS / "state-diagram.mmd").read_text(encoding="utf-8") == to_mermaid()
    assert (DOCS / "state-diagram.svg").read_text(encoding="utf-8") == to_svg()
