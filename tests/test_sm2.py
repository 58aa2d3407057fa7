"""SM-2: golden sequences from the issue, exact arithmetic, and invariants (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlquiz.sm2 import MAX_INTERVAL, SM2State, review


def run(grades):
    state = SM2State()
    history = []
    for grade in grades:
        state = review(state, grade)
        history.append((state.easiness, state.repetitions, state.interval))
    return history


@pytest.mark.parametrize(
    "grades, expected",
    [
        ([5] * 5, [(2.6, 1, 1), (2.7, 2, 6), (2.8, 3, 17), (2.9, 4, 48), (3.0, 5, 140)]),
        ([4] * 5, [(2.5, 1, 1), (2.5, 2, 6), (2.5, 3, 15), (2.5, 4, 38), (2.5, 5, 95)]),
        ([3] * 5, [(2.36, 1, 1), (2.22, 2, 6), (2.08, 3, 14), (1.94, 4, 30), (1.80, 5, 59)]),
        ([0] * 3, [(1.7, 0, 1), (1.3, 0, 1), (1.3, 0, 1)]),
        ([5, 5, 1, 4, 4], [(2.6, 1, 1), (2.7, 2, 6), (2.16, 0, 1), (2.16, 1, 1), (2.16, 2, 6)]),
        ([2, 5, 5, 5], [(2.18, 0, 1), (2.28, 1, 1), (2.38, 2, 6), (2.48, 3, 15)]),
    ],
)
def test_golden_sequences(grades, expected):
    assert run(grades) == expected


def test_exact_arithmetic_six_fives_give_420_days():
    assert run([5] * 6)[-1] == (3.1, 6, 420)


def test_a_new_card_is_0_25_0():
    assert (SM2State().repetitions, SM2State().easiness, SM2State().interval) == (0, 2.5, 0)


def test_interval_is_capped_at_100_years():
    state = SM2State(repetitions=20, easiness=3.0, interval=30_000)
    assert review(state, 5).interval == MAX_INTERVAL


def test_review_is_pure():
    state = SM2State(2, 2.7, 6)
    review(state, 5)
    assert state == SM2State(2, 2.7, 6)


@pytest.mark.parametrize("bad", [-1, 6, 2.5, "4", True, None])
def test_quality_must_be_0_to_5(bad):
    with pytest.raises(ValueError, match="quality must be a whole number from 0 to 5"):
        review(SM2State(), bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=40))
def test_invariants(grades):
    state = SM2State()
    for grade in grades:
        before = state
        state = review(state, grade)
        assert state.easiness >= 1.3
        assert round(state.easiness * 100) == state.easiness_centi  # stays on the grid of hundredths
        assert 1 <= state.interval <= MAX_INTERVAL
        if grade < 3:
            assert (state.repetitions, state.interval) == (0, 1)
        else:
            assert state.repetitions == before.repetitions + 1
            if state.repetitions >= 3:
                assert state.interval >= before.interval  # EF >= 1.3 > 1: intervals never shrink
        if grade == 4:
            assert state.easiness == before.easiness
        elif grade == 5:
            assert state.easiness == round(before.easiness + 0.1, 2)
        else:
            assert state.easiness <= before.easiness
