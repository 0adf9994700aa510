"""The default scoring scheme holds SPEC §5's numbers and validates, serialises and labels cleanly."""
from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from caseflow.errors import InvalidField
from caseflow.scoring import (
    DEFAULT_SCHEME,
    LABELS,
    label,
    num,
    q,
    scheme_from_json,
    scheme_to_json,
    validate_scheme,
)


def modified(path: str, value):
    """Return a copy of the default scheme with the value at a dotted path replaced (or deleted)."""
    data = copy.deepcopy(DEFAULT_SCHEME)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


def test_default_scheme_holds_every_spec_number():
    s = DEFAULT_SCHEME
    assert (s["control"]["max"], num(s["control"]["partial_weight"])) == (40, Decimal("0.5"))
    assert s["stakeholder"]["surveys"] == {"economic_subject": 5, "public_opinion": 5,
                                           "service_object": 5, "internal_staff": 5}
    assert list(s["stakeholder"]["supervision"]) == ["audit", "social", "media", "people_congress", "cppcc",
                                                     "inspection"]
    assert all(num(v) * 3 == 10 for v in s["stakeholder"]["supervision"].values())
    assert s["stakeholder"]["finding_deductions"] == {"minor": 1, "moderate": 2, "serious": 4}
    assert s["performance"] == {"cost": {"max": 10, "percent_per_point": 5}, "saving": {"max": 10, "pp_per_point": 2}}
    assert s["incentive"] == {"awards": {"innovation": 2, "self_discovery": 1, "cooperation": 2}, "cap": 5}
    assert s["integrity"]["kinds"] == {"admin_finding": 2, "warning": 4, "serious_warning": 6, "removal": 8,
                                       "probation": 10, "expulsion": 12, "criminal": 20}
    assert {k: num(v) for k, v in s["integrity"]["subjects"].items()} == {
        "principal": Decimal("1.5"), "team_member": Decimal("1.2"), "staff": 1}
    assert s["integrity"]["recency"] == {"years": 2, "recent": 1, "older": 0.5}
    cases = s["case_outcomes"]
    assert cases["issue_notice"]["points"] == {"minor": -1, "moderate": -2, "serious": -4}
    assert {t: cases[t]["points"] for t in ("reject", "escalate", "order_talk", "order_inquiry", "refer", "reopen")} \
        == {"reject": -1, "escalate": -2, "order_talk": -3, "order_inquiry": -5, "refer": -8, "reopen": -2}
    assert {t: cases[t]["dimension"] for t in cases} == {
        "issue_notice": "control", "accept": "incentive", "reject": "control", "escalate": "control",
        "order_talk": "integrity", "order_inquiry": "integrity", "refer": "integrity", "reopen": "control"}
    assert s["colour"] == {"green": 85, "orange": 70}
    assert s["grade"]["a_min_mean"] == 85 and s["grade"]["c_below_mean"] == 70
    assert s["grade"]["c_min_red_quarters"] == 2


def test_default_scheme_validates_and_returns_an_independent_copy():
    checked = validate_scheme(DEFAULT_SCHEME)
    assert checked == DEFAULT_SCHEME
    checked["control"]["max"] = 1
    assert DEFAULT_SCHEME["control"]["max"] == 40


def test_json_round_trip_is_exact():
    text = scheme_to_json(DEFAULT_SCHEME)
    assert json.loads(text) == DEFAULT_SCHEME
    assert scheme_from_json(text) == DEFAULT_SCHEME
    assert scheme_from_json(text.encode()) == DEFAULT_SCHEME
    assert list(scheme_from_json(text)["stakeholder"]["supervision"]) == list(
        DEFAULT_SCHEME["stakeholder"]["supervision"])


@pytest.mark.parametrize("text", ["{", "[]", "null", '"x"'])
def test_bad_json_names_the_scheme_or_its_first_key(text):
    with pytest.raises(InvalidField) as info:
        scheme_from_json(text)
    assert info.value.field in {"scheme", "version"}


@pytest.mark.parametrize(("path", "value"), [
    ("control.max", KeyError),
    ("control.max", "forty"),
    ("control.max", True),
    ("control.max", [40]),
    ("control.max", -1),
    ("control.max", 41),  # base dimensions would exceed 100
    ("control.partial_weight", 1.5),
    ("control.partial_weight", float("nan")),
    ("control.bonus", 1),
    ("stakeholder.surveys.economic_subject", None),
    ("stakeholder.supervision.audit", "10/0"),
    ("stakeholder.finding_deductions.minor", -1),
    ("performance.cost.percent_per_point", 0),
    ("performance.saving.pp_per_point", "0"),
    ("integrity.recency.years", 2.5),
    ("integrity.recency.years", 0),
    ("integrity.kinds.warning", "4x"),
    ("case_outcomes.reject.points", 1),
    ("case_outcomes.accept.notice_share", 2),
    ("case_outcomes.order_talk.points", 3),
    ("case_outcomes.escalate.dimension", "performance"),
    ("case_outcomes.escalate.dimension", "nowhere"),
    ("case_outcomes.issue_notice.points.serious", 4),
    ("colour.orange", 90),
    ("grade.c_below_mean", 90),
    ("grade.c_min_red_quarters", "2"),
    ("version", "1"),
])
def test_validate_names_the_first_bad_field(path, value):
    with pytest.raises(InvalidField) as info:
        validate_scheme(modified(path, value))
    assert info.value.field == path
    assert info.value.status == 422
    assert path in str(info.value)


def test_validate_rejects_a_non_dict():
    with pytest.raises(InvalidField) as info:
        validate_scheme([1, 2])
    assert info.value.field == "scheme"


def test_validate_accepts_other_numbers_in_every_allowed_form():
    data = modified("control.partial_weight", "0.25")
    data["stakeholder"]["supervision"]["audit"] = 3.3333
    data["integrity"]["subjects"]["principal"] = "3/2"
    assert validate_scheme(data)["control"]["partial_weight"] == "0.25"


def test_num_reads_ints_floats_decimals_and_fractions_exactly():
    assert num(1.2) == Decimal("1.2")
    assert num("0.5") == Decimal("0.5")
    assert num(Decimal("7")) == 7
    assert q(num("10/3") * 6) == Decimal("20.0000")
    with pytest.raises(ValueError):
        num(True)


@pytest.mark.parametrize(("raw", "expected"), [
    ("0.00005", "0.0001"), ("-0.00005", "-0.0001"), ("1.23444", "1.2344"), ("-0.00001", "0.0000"),
])
def test_q_rounds_half_up_to_four_places_without_negative_zero(raw, expected):
    result = q(Decimal(raw))
    assert str(result) == expected


def test_every_scheme_code_has_a_chinese_and_english_label():
    s = DEFAULT_SCHEME
    codes = [*s["stakeholder"]["surveys"], *s["stakeholder"]["supervision"], *s["stakeholder"]["finding_deductions"],
             *s["incentive"]["awards"], *s["integrity"]["kinds"], *s["integrity"]["subjects"], *s["case_outcomes"],
             "control", "stakeholder", "performance", "incentive", "integrity", "green", "orange", "red"]
    for code in codes:
        zh, en = LABELS[code]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
        assert en.isascii() and en, code
    assert LABELS["audit"] == ("审计监督", "Audit supervision")
    assert label("audit", "zh_CN") == "审计监督"
    assert label("audit") == "Audit supervision"
    assert label("unknown_code") == "unknown_code"


def test_every_key_of_the_default_scheme_has_a_name_in_both_languages():
    from caseflow.scoring.scheme import DEFAULT_SCHEME, parameter_label

    def keys(data):
        for key, value in data.items():
            yield key
            if isinstance(value, dict):
                yield from keys(value)

    for key in set(keys(DEFAULT_SCHEME)):
        zh, en = parameter_label(key, "zh"), parameter_label(key, "en")
        assert zh != key and en != key, key
        assert not any(c.isascii() and c.isalpha() for c in zh.replace("A", "").replace("C", "")), (key, zh)
