"""The case state diagram, generated from TRIGGERS: Mermaid, Graphviz DOT and a plain SVG.

The SVG is laid out by the small layered layout below (BFS layers from the initial state,
the order within each layer chosen to minimise crossings), so no graphviz is needed at run
time and the diagram renders on a closed network.
"""
from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from itertools import pairwise, permutations
from typing import Literal
from xml.sax.saxutils import escape

from caseflow.states.definition import INITIAL, STATE_LABELS, STATES, TERMINAL, TRIGGERS

Lang = Literal["zh", "en"]
Point = tuple[float, float]
Edge = tuple[str, str, tuple[str, ...]]

# Notes for branch edges, keyed by guard name, so a reader sees why a trigger forks.
_GUARD_NOTES: dict[str, tuple[str, str]] = {"rejected_before": ("第二次", "second time")}
_BOX_H, _ROW_GAP, _COL_GAP, _MARGIN = 40.0, 100.0, 80.0, 40.0
_FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
_COLOURS = {"current": ("#fde68a", "#b45309"), "terminal": ("#f3f4f6", "#6b7280"),
            "closed": ("#dcfce7", "#15803d"), "normal": ("#eff6ff", "#1d4ed8")}


def _i(lang: Lang) -> int:
    """Index of ``lang`` in the (zh, en) label pairs."""
    return 0 if lang == "zh" else 1


def _edges() -> list[Edge]:
    """Every (source, dest, triggers) of the machine, in TRIGGERS order, parallel triggers merged."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for spec in TRIGGERS.values():
        for src in spec.sources:
            for dest in spec.dests:
                grouped[(src, dest)].append(spec.name)
    return [(src, dest, tuple(names)) for (src, dest), names in grouped.items()]


def _edge_label(src: str, dest: str, names: tuple[str, ...], lang: Lang) -> str:
    """The label of one edge: its triggers' labels, with the guard note on a branch."""
    parts = []
    for name in names:
        spec = TRIGGERS[name]
        text = (spec.label_zh, spec.label_en)[_i(lang)]
        for branch in spec.branches:
            note = _GUARD_NOTES.get(branch.when.name)
            if note and src in spec.sources and dest == branch.dest:
                text += f"（{note[0]}）" if lang == "zh" else f" ({note[1]})"
        parts.append(text)
    return " / ".join(parts)


def _state_label(state: str, lang: Lang) -> str:
    """The label of a state in ``lang``."""
    return STATE_LABELS[state][_i(lang)]


def to_mermaid(current: str | None = None, lang: Lang = "en") -> str:
    """Return the diagram as a Mermaid ``stateDiagram-v2``, ``current`` highlighted."""
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{_state_label(s, lang)}" as {s}' for s in STATES]
    lines.append(f"    [*] --> {INITIAL}")
    for src, dest, names in _edges():
        lines.append(f"    {src} --> {dest} : {_edge_label(src, dest, names, lang)}")
    lines += [f"    {s} --> [*]" for s in STATES if s in TERMINAL]
    lines.append("    classDef terminal fill:#f3f4f6,stroke:#6b7280")
    lines.append("    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px")
    lines.append(f"    class {','.join(s for s in STATES if s in TERMINAL)} terminal")
    if current in STATES:
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


def _dot_str(text: str) -> str:
    """Quote ``text`` as a DOT string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(current: str | None = None, lang: Lang = "en") -> str:
    """Return the diagram as Graphviz DOT, ``current`` highlighted."""
    lines = ["digraph case_states {", "    rankdir=TB;",
             '    node [shape=box, style="rounded,filled", fillcolor="#eff6ff", fontname="sans-serif"];',
             '    edge [fontname="sans-serif", fontsize=10];']
    for state in STATES:
        kind = "current" if state == current else "terminal" if state in TERMINAL else "normal"
        fill, stroke = _COLOURS[kind]
        width = ", penwidth=2.5" if kind == "current" else ""
        lines.append(f"    {state} [label={_dot_str(_state_label(state, lang))}, "
                     f'fillcolor="{fill}", color="{stroke}"{width}];')
    for src, dest, names in _edges():
        lines.append(f"    {src} -> {dest} [label={_dot_str(_edge_label(src, dest, names, lang))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layers(edges: list[Edge]) -> list[list[str]]:
    """BFS layers from the initial state; unreachable states go in a last layer."""
    depth = {INITIAL: 0}
    queue = [INITIAL]
    for state in queue:
        for src, dest, _ in edges:
            if src == state and dest not in depth:
                depth[dest] = depth[state] + 1
                queue.append(dest)
    last = max(depth.values()) + 1
    layers: list[list[str]] = [[] for _ in range(last + 1)]
    for state in STATES:
        layers[depth.get(state, last)].append(state)
    return [layer for layer in layers if layer]


def _crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments ab and cd properly cross."""
    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def _hits(a: Point, b: Point, rect: tuple[float, float, float, float]) -> bool:
    """Whether segment ab meets the rectangle (x0, y0, x1, y1) — Liang–Barsky clipping."""
    lo, hi = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - rect[0]), (dx, rect[2] - a[0]), (-dy, a[1] - rect[1]), (dy, rect[3] - a[1])):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
    return lo <= hi


def _rect(centre: Point, w: float, h: float, pad: float = 4) -> tuple[float, float, float, float]:
    """The rectangle of size w×h around ``centre``, grown by ``pad``."""
    return centre[0] - w / 2 - pad, centre[1] - h / 2 - pad, centre[0] + w / 2 + pad, centre[1] + h / 2 + pad


def _cost(pos: dict[str, Point], edges: list[Edge], box_w: float) -> float:
    """Edge crossings, edges through other boxes and total length (in columns), weighted."""
    segs = [(pos[s], pos[d], s, d) for s, d, _ in edges]
    rects = {state: _rect(p, box_w, _BOX_H) for state, p in pos.items()}
    cost = 0.0
    for i, (a, b, s1, d1) in enumerate(segs):
        cost += math.hypot(b[0] - a[0], b[1] - a[1]) / (box_w + _COL_GAP)
        cost += 12 * sum(_hits(a, b, r) for st, r in rects.items() if st not in (s1, d1))
        cost += 10 * sum(not {s1, d1} & {s2, d2} and _crosses(a, b, c, d) for c, d, s2, d2 in segs[i + 1:])
    return cost


@lru_cache(maxsize=8)
def _layout(box_w: float) -> dict[str, Point]:
    """The fixed layered layout: layers as rows on a column grid, columns chosen by descent."""
    edges = _edges()
    layers = _layers(edges)
    width = max(len(layer) for layer in layers) + 1
    options = [list(permutations(range(width), len(layer))) for layer in layers]
    choice = [tuple(range((width - len(lay)) // 2, (width - len(lay)) // 2 + len(lay))) for lay in layers]

    def place(cols: list[tuple[int, ...]]) -> dict[str, Point]:
        return {state: (_MARGIN + box_w / 2 + col * (box_w + _COL_GAP), _MARGIN + _BOX_H / 2 + row * (_BOX_H + _ROW_GAP))
                for row, (layer, columns) in enumerate(zip(layers, cols, strict=True))
                for state, col in zip(layer, columns, strict=True)}

    if sum(len(o) for o in options) <= 400:  # small graphs: a few sweeps of coordinate descent
        for _ in range(4):
            before = list(choice)
            for i, opts in enumerate(options):
                choice[i] = min(opts, key=lambda o, i=i: _cost(place([*choice[:i], o, *choice[i + 1:]]),
                                                                 edges, box_w))
            if choice == before:
                break
    pos = place(choice)
    shift = min(x for x, _ in pos.values()) - _MARGIN - box_w / 2
    return {state: (x - shift, y) for state, (x, y) in pos.items()}


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK glyphs are square, Latin ones about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _clip(centre: Point, toward: Point, w: float, h: float) -> Point:
    """Where the ray from ``centre`` toward ``toward`` leaves a w×h box (plus a small gap)."""
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    scale = min((w / 2 + 3) / abs(dx) if dx else math.inf, (h / 2 + 3) / abs(dy) if dy else math.inf)
    return centre[0] + dx * scale, centre[1] + dy * scale


def _bezier(a: Point, c: Point, b: Point, t: float) -> Point:
    """A point of the quadratic Bézier curve a–c–b."""
    u = 1 - t
    return (u * u * a[0] + 2 * u * t * c[0] + t * t * b[0], u * u * a[1] + 2 * u * t * c[1] + t * t * b[1])


def _curve_hits(a: Point, c: Point, b: Point, rects: list[tuple[float, float, float, float]]) -> bool:
    """Whether the curve a–c–b (as 16 segments) meets any of ``rects``."""
    pts = [_bezier(a, c, b, k / 16) for k in range(17)]
    return any(_hits(p, q, r) for p, q in pairwise(pts) for r in rects)


def _control(src: str, dest: str, pos: dict[str, Point], bend: bool, box_w: float) -> Point:
    """The Bézier control point of an edge: the midpoint (a straight line) unless it must bend."""
    a, b = pos[src], pos[dest]
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    rects = [_rect(p, box_w, _BOX_H) for s, p in pos.items() if s not in (src, dest)]
    if not bend and not _curve_hits(a, mid, b, rects):
        return mid
    length = math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0
    normal = (-(b[1] - a[1]) / length, (b[0] - a[0]) / length)
    candidates = [(mid[0] + normal[0] * o, mid[1] + normal[1] * o) for o in (50, -50, 100, -100, 160, -160)]
    return next((c for c in candidates if not _curve_hits(a, c, b, rects)), candidates[0])


def _arrow(frm: Point, tip: Point) -> str:
    """An arrowhead at ``tip`` pointing away from ``frm`` (drawn, not a marker, for every renderer)."""
    length = math.hypot(tip[0] - frm[0], tip[1] - frm[1]) or 1.0
    ux, uy = (tip[0] - frm[0]) / length, (tip[1] - frm[1]) / length
    bx, by = tip[0] - ux * 9, tip[1] - uy * 9
    return (f'<path d="M{tip[0]:.1f},{tip[1]:.1f} L{bx - uy * 4.5:.1f},{by + ux * 4.5:.1f} '
            f'L{bx + uy * 4.5:.1f},{by - ux * 4.5:.1f} Z" fill="#374151"/>')


def _overlaps(r: tuple[float, float, float, float], others: list[tuple[float, float, float, float]]) -> bool:
    """Whether rectangle ``r`` overlaps any of ``others``."""
    return any(r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3] for o in others)


def to_svg(current: str | None = None, lang: Lang = "en") -> str:
    """Return a self-contained SVG of the diagram, ``current`` highlighted."""
    edges = _edges()
    box_w = max(112.0, max(_text_width(_state_label(s, lang), 14) for s in STATES) + 28)
    pos = _layout(box_w)
    width = max(x for x, _ in pos.values()) + box_w / 2 + _MARGIN
    height = max(y for _, y in pos.values()) + _BOX_H / 2 + _MARGIN
    pairs = {(s, d) for s, d, _ in edges}
    taken = [_rect(p, box_w, _BOX_H, 0) for p in pos.values()]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" font-family="{_FONT}" role="img">',
           f"<title>{escape('案件状态图' if lang == 'zh' else 'Case states')}</title>",
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    labels: list[str] = []
    for src, dest, names in edges:
        # Of two opposite edges, the one going up bends so both stay visible.
        control = _control(src, dest, pos, (dest, src) in pairs and pos[dest][1] < pos[src][1], box_w)
        p0, p2 = _clip(pos[src], control, box_w, _BOX_H), _clip(pos[dest], control, box_w, _BOX_H)
        c = control if control != ((pos[src][0] + pos[dest][0]) / 2, (pos[src][1] + pos[dest][1]) / 2) \
            else ((p0[0] + p2[0]) / 2, (p0[1] + p2[1]) / 2)
        out.append(f'<g class="edge" data-source="{src}" data-dest="{dest}" data-trigger="{" ".join(names)}">'
                   f'<path d="M{p0[0]:.1f},{p0[1]:.1f} Q{c[0]:.1f},{c[1]:.1f} {p2[0]:.1f},{p2[1]:.1f}" '
                   f'fill="none" stroke="#374151" stroke-width="1.4"/>{_arrow(c, p2)}</g>')
        text = _edge_label(src, dest, names, lang)
        w, h = _text_width(text, 12) + 8, 17.0
        spots = [_bezier(p0, c, p2, t) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)]
        at = next((s for s in spots if not _overlaps(_rect(s, w, h, 0), taken)), spots[0])
        taken.append(_rect(at, w, h, 0))
        labels.append(f'<g class="edge-label"><rect x="{at[0] - w / 2:.1f}" y="{at[1] - h / 2:.1f}" '
                      f'width="{w:.0f}" height="{h:.0f}" rx="3" fill="#ffffff" fill-opacity="0.92"/>'
                      f'<text x="{at[0]:.1f}" y="{at[1] + 4:.1f}" text-anchor="middle" font-size="12" '
                      f'fill="#111827">{escape(text)}</text></g>')
    for state in STATES:
        kind = ("current" if state == current else "terminal" if state in TERMINAL
                else "closed" if state == "closed" else "normal")
        fill, stroke = _COLOURS[kind]
        x, y = pos[state]
        out.append(f'<g class="state{" current" if kind == "current" else ""}" data-state="{state}">'
                   f"<title>{escape(state)}</title>"
                   f'<rect x="{x - box_w / 2:.1f}" y="{y - _BOX_H / 2:.1f}" width="{box_w:.0f}" '
                   f'height="{_BOX_H:.0f}" rx="10" ry="10" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{2.5 if kind == "current" else 1.4}"/>'
                   f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" '
                   f'fill="#111827">{escape(_state_label(state, lang))}</text></g>')
    out += labels  # labels last so no line is drawn over them
    out.append("</svg>")
    return "\n".join(out) + "\n"


__all__ = ["to_dot", "to_mermaid", "to_svg"]
