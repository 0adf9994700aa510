"""Chinese line breaking for the PDF renderer (Word and browsers break lines themselves).

Any two hanzi may be split; a Latin word or number stays whole; and the usual 避头尾
rules hold: closing punctuation never starts a line and opening brackets never end
one — the character before is pushed to the next line instead.
"""
from __future__ import annotations

import re
from collections.abc import Callable

NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%‰℃,.;:!?)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/@_\-+#&'%]*|[ \t]+|.", re.S)


def tokens(text: str) -> list[str]:
    """Split ``text`` into unbreakable pieces: a hanzi, a Latin word, a run of spaces."""
    return _TOKEN.findall(text)


def break_lines(text: str, width: float, measure: Callable[[str], float], first_indent: float = 0) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (the first ``first_indent`` narrower)."""
    pieces: list[str] = []
    for tok in tokens(text.replace("\n", " ")):
        # a word longer than a line is cut anywhere rather than overflowing
        pieces.extend(tok if len(tok) > 1 and measure(tok) > width else [tok])
    lines: list[list[str]] = []
    current: list[str] = []
    used, room = 0.0, width - first_indent
    for tok in pieces:
        size = measure(tok)
        if current and used + size > room + 1e-6:
            if tok.isspace():
                lines.append(current)
                current, used, room = [], 0.0, width
                continue
            carry: list[str] = []
            head = tok
            while head[0] in NO_LINE_START and len(current) > 1:  # take "色）" along before "，"
                head = current.pop()
                carry.insert(0, head)
            while len(current) > 1 and current[-1][-1] in NO_LINE_END:
                carry.insert(0, current.pop())
            lines.append(current)
            current, room = carry, width
            used = sum(measure(t) for t in carry)
        if not current and tok.isspace():
            continue  # no line starts with a space
        current.append(tok)
        used += size
    if current or not lines:
        lines.append(current)
    return ["".join(line).rstrip() for line in lines]
