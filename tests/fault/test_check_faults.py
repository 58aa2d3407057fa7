"""Hostile `check:` fields and hostile expected answers: a check expression is bounded before and
while it is evaluated (it answers "too large" in well under a second, never a RecursionError,
a 26-second power or gigabytes), and `answers.check` never raises for any expected value."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from dlquiz.checking.answers import KINDS, Verdict, check
from dlquiz.checking.expressions import CheckError, evaluate
from tests.fault.outcome import problems

CAMPAIGN = {
    "1" + "+1" * 998: "too large: nested more than 32 levels deep",
    "((10**64)**64)**64": "too large: a whole number over 1024 bits",
    "'x'*10**9": "too large: more than 10,000 characters or items",
    "[0]*10**9": "too large: more than 10,000 characters or items",
    "round(1, -10**9)": "too large: round() keeps at most 400 digits",
    "positional_encoding(10**9, 512)": "too large: the encoding would take 512,000,000,000 (at most 1,000,000); these implementations are for small inputs",
    "'%0999999999d' % 1": "% on text (formatting) is not allowed in a check",
    "(-8)**0.5": "the check gives a complex number",
}


@pytest.mark.parametrize("source, message", CAMPAIGN.items())
def test_the_campaigns_checks_are_too_large_at_once(source, message):
    started = time.monotonic()
    with pytest.raises(CheckError) as error:
        evaluate(source)
    assert str(error.value) == message
    assert time.monotonic() - started < 1


# Pieces of hostile expressions, put together by Hypothesis.
_ATOMS = st.sampled_from(["1", "2", "64", "10**64", "9" * 300, "1e308", "'x'", "'ab' * 100", "[0]", "(1, 2)", "[[0] * 100] * 99",
                          "positional_encoding(100, 100)", "conv_output_size(32, 5)", "-1", "0", "0.5", "True", "None"])
_CALLS = ("round", "abs", "len", "max", "min", "positional_encoding", "conv_forward", "pool_forward", "gram_matrix",
          "softmax", "batchnorm_forward", "non_max_suppression", "sum_shape", "ewa", "iou", "conv_param_count")


def _combine(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "**"]), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(st.sampled_from(_CALLS), st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
        inner.map(lambda x: f"-({x})"),
    )


@settings(max_examples=400, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@seed(15)
@given(st.recursive(_ATOMS, _combine, max_leaves=12))
def test_any_check_is_a_value_or_a_check_error_within_a_second(source):
    started = time.monotonic()
    try:
        evaluate(source)
    except CheckError as error:
        assert len(str(error)) <= 160 and "\n" not in str(error)
    assert time.monotonic() - started < 1, source


def test_hostile_checks_in_a_deck_are_one_line_each_and_quick(write_deck, cli):
    cards = "".join(f"  - id: t-{i}\n    kind: numeric\n    question: q\n    answer: 1\n    check: {source!r}\n"
                    for i, source in enumerate(CAMPAIGN))
    path = write_deck("t.yaml", "course: 1\nweek: 1\ntitle: T\ncards:\n" + cards)
    started = time.monotonic()
    lines = problems(cli("check"), code=1, where=f"{path}:")
    assert time.monotonic() - started < 10
    assert len(lines) == len(CAMPAIGN) and all(" failed: " in line for line in lines)


# Expected answers of every type and size, valid or not, against typed answers.
_EXPECTED_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10), st.fractions(), st.complex_numbers(),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e308, 5e-324, "", "v_t /", "x" * 2000, Fraction(1, 3)]),
    st.builds(lambda e: 2**e, st.sampled_from([1100, 20000])),  # (beyond floats, beyond the 4,300-digit limit)
)
_EXPECTED = st.recursive(_EXPECTED_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner), max_leaves=8)
_TYPED = st.sampled_from(["7", "nan", "inf", "1e999", "(4, 1)", "A", "b, c", "true", "x", "0", "-1", "1/0", "15%",
                          "v_t/(1-beta^t)", "9" * 900, "2^1000000"]) | st.text(min_size=1, max_size=20)


@settings(max_examples=1500, derandomize=True, deadline=None, database=None)
@seed(15)
@given(kind=st.sampled_from(KINDS), expected=_EXPECTED, typed=_TYPED,
       options=st.none() | st.lists(st.text(max_size=4) | st.integers(), max_size=4).map(tuple),
       tolerance=st.none() | st.floats() | st.integers() | st.booleans())
def test_check_never_raises_for_any_expected_value(kind, expected, typed, options, tolerance):
    verdict = check(kind, expected, typed, options=options, tolerance=tolerance)
    assert isinstance(verdict, Verdict) and isinstance(verdict.feedback, str)


@pytest.mark.parametrize("expected", [float("nan"), float("inf"), -float("inf"), 2**20000], ids=["nan", "inf", "-inf", "2^20000"])
def test_a_numeric_card_whose_answer_is_not_a_finite_number_asks_to_grade_yourself(expected):
    verdict = check("numeric", expected, "7")
    assert not verdict.correct and verdict.feedback.startswith("this card's answer cannot be checked (")
    assert verdict.feedback.endswith("): grade yourself")
