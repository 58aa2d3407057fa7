"""Order cards: the steps shown shuffled (fixed by card and draw, never the answer's own order), the
letters typed in order; and choice cards with several right options ("pick all that apply")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlquiz.checking import answers, order
from dlquiz.model import Card

STEPS = ("compute the gradients", "update the moments", "correct their bias", "update the weights")


def card(**fields) -> Card:
    return Card(id="c2w2-adam-steps", deck="c2w2", kind="order", question="Put Adam's steps in order.", answer=STEPS, **fields)


@given(st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=8, unique=True), st.integers(1, 10_000))
def test_the_shuffle_is_fixed_by_card_and_draw_and_never_the_answer(steps, draw):
    shown = order.shuffled(tuple(steps), f"x:{draw}")
    assert sorted(shown) == sorted(steps) and shown != tuple(steps)
    assert order.shuffled(tuple(steps), f"x:{draw}") == shown


def test_a_draw_shows_the_steps_shuffled_and_the_typed_letters_are_checked():
    drawn = order.draw(card(), 1)
    right = order.letters_of(STEPS, drawn.options)
    assert answers.check_card(drawn, right).correct
    assert answers.check_card(drawn, right.replace(", ", "")).correct  # `CADB`
    assert answers.check_card(drawn, right.lower().replace(",", " ")).correct
    numbers = " ".join(str(drawn.options.index(step) + 1) for step in STEPS)
    assert answers.check_card(drawn, numbers).correct


def test_a_wrong_order_says_which_step_and_shows_the_right_one():
    drawn = order.draw(card(), 1)
    letters = [chr(65 + drawn.options.index(step)) for step in STEPS]
    swapped = [letters[1], letters[0], *letters[2:]]
    result = answers.check_card(drawn, " ".join(swapped))
    assert (result.correct, result.readable) == (False, True)
    assert result.feedback == (f"{', '.join(swapped)} is not the order: it is {', '.join(letters)} "
                               "(step 1 is wrong; 2 of 4 in place)")


@pytest.mark.parametrize("typed, feedback", [
    ("A B C", "type each of the 4 letters A–D once, in order (like D, C, B, A)"),
    ("A B C C", "type each of the 4 letters A–D once, in order (like D, C, B, A)"),
    ("A B C E", "cannot read 'E': type the letters A–D in order"),
])
def test_letters_missing_repeated_or_unknown_are_asked_again(typed, feedback):
    result = answers.check_card(order.draw(card(), 1), typed)
    assert (result.correct, result.readable, result.feedback) == (False, False, feedback)


def test_pick_all_that_apply_needs_all_and_only_the_right_options():
    options = ("Adam", "ReLU", "RMSprop", "Dropout")
    several = Card(id="x", deck="d", kind="choice", question="Which are optimizers?", answer=("Adam", "RMSprop"), options=options)
    assert answers.check_card(several, "A, C").correct and answers.check_card(several, "ca").correct
    assert answers.check_card(several, "A").feedback == "you missed C: the answer is A and C"
    assert answers.check_card(several, "A C D").feedback == "D is not right: the answer is A and C"
