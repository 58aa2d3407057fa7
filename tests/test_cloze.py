"""The cloze syntax (dlquiz/cloze.py): clozes found with LaTeX braces balanced, hints, and the
faults it names; a Hypothesis round trip between texts and the clozes read from them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlquiz import cloze


def test_a_cloze_ends_where_its_braces_balance_not_at_the_first_closing_pair():
    text = r"$J = {{c1::\frac{1}{m^{2}}}} \sum_i L$ and {{c2::prose::a hint}}"
    first, second = cloze.find(text)
    assert first == cloze.Cloze(1, r"\frac{1}{m^{2}}", None, 5, 28)
    assert text[first.start:first.end] == r"{{c1::\frac{1}{m^{2}}}}"
    assert (second.number, second.content, second.hint) == (2, "prose", "a hint")
    assert cloze.reveal(text) == r"$J = \frac{1}{m^{2}} \sum_i L$ and prose"


def test_a_double_colon_inside_braces_is_hidden_text_not_a_hint():
    (item,) = cloze.find(r"{{c1::\text{a::b}}}")
    assert (item.content, item.hint) == (r"\text{a::b}", None)


def test_escaped_braces_do_not_count():
    (item,) = cloze.find(r"{{c1::\{x\}}}")
    assert item.content == r"\{x\}"


@pytest.mark.parametrize("text, message", [
    ("{{c1::a", "cloze c1 is not closed (no '}}' after '{{c1::')"),
    ("{{c1::\\frac{a}{b", "cloze c1 has unbalanced braces: 1 '{' never closed"),
    ("$\\frac{{{c2::a}{b}}}$", "cloze c2 has unbalanced braces: a '}' closes nothing in it"),
    ("{{c1::a {{c2::b}} }}", "cloze c1 holds another cloze (nested clozes are not supported)"),
])
def test_unreadable_clozes_say_which_and_why(text, message):
    with pytest.raises(cloze.ClozeError) as info:
        cloze.find(text)
    assert str(info.value) == message


@pytest.mark.parametrize("text", ["{{c1:x}}", "{{C1::x}}", "{{ c1::x}}", "{{c1 ::x}}"])
def test_mistyped_clozes_are_noticed(text):
    assert cloze.malformed(text) is not None
    assert cloze.malformed("{{c1::x}} and {x}") is None


def test_where_each_cloze_lies_among_the_formulas():
    text = "a {{c1::b}} $x = {{c2::y}}$ {{c3::$z$}}"
    clozes = cloze.find(text)
    revealed, spans = cloze.located(clozes, text)
    assert revealed == "a b $x = y$ $z$"
    assert [revealed[s:e] for s, e in spans] == ["b", "y", "$z$"]
    ranges = [(4, 11, 5, 10), (12, 15, 13, 14)]
    assert [cloze.place(span, ranges) for span in spans] == [None, ranges[0], None]
    assert cloze.place((3, 6), ranges) == "crosses"


# -- texts built from pieces, read back --------------------------------------------------------

_PLAIN = st.text(st.characters(blacklist_characters="{}\\:", blacklist_categories=("Cs",)), max_size=12)
_LATEX = st.sampled_from([r"\beta", r"\frac{a}{b}", r"x^{2}", r"v_{t-1}", r"\sqrt{s_{dW}}", "(1-\\beta)", "a:b"])


@given(st.lists(st.tuples(_PLAIN, st.integers(1, 9), st.one_of(_LATEX, _PLAIN.filter(str.strip)),
                          st.none() | _PLAIN.filter(str.strip)), max_size=5), _PLAIN)
def test_texts_round_trip_through_their_clozes(pieces, tail):
    text = "".join(f"{before}{{{{c{n}::{content}{'::' + hint if hint else ''}}}}}" for before, n, content, hint in pieces) + tail
    found = cloze.find(text)
    assert [(c.number, c.content, c.hint) for c in found] == [
        (n, content, hint or None) for _, n, content, hint in pieces]
    assert cloze.replace(text, found, lambda c: text[c.start:c.end]) == text
    assert cloze.reveal(text) == "".join(before + content for before, _, content, _ in pieces) + tail
