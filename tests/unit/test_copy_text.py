"""PostgreSQL COPY text format values (``db_bulk``): what a worker formats for the writing process."""
from __future__ import annotations

from caseflow.db_bulk import COPY_NULL, copy_escapes_needed, copy_str


def test_text_escapes_backslash_tab_newline_and_carriage_return():
    assert copy_str("审批\t(a\\b)\r\n续") == "审批\\t(a\\\\b)\\r\\n续"
    assert copy_str("plain 中文 'quotes' \"and\" %s") == "plain 中文 'quotes' \"and\" %s"
    assert COPY_NULL == "\\N"


def test_escapes_needed_only_when_a_value_has_such_a_character():
    assert not copy_escapes_needed(["control", None, "Control check 'x' pass: 4.0000 of 40.0000"])
    assert copy_escapes_needed([None, "a", "b\\c"])
    assert copy_escapes_needed(["tab\there"])
    assert not copy_escapes_needed([])
