"""Cloze deck cards: one card of the collection per cloze number, and the faults of a cloze text
reported as `path:line` with exit 2. The faults the issue lists are generated as classes
(Hypothesis, and mutations of the bundled cloze cards), never only as single examples."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz import cloze
from dlquiz.decks.collection import load_collection
from dlquiz.decks.files import discover
from dlquiz.decks.format import load_text
from dlquiz.paths import bundled_cards_dir
from dlquiz.render.markup import formula_ranges

EWA = r"""
course: 2
week: 2
title: Optimization
cards:
  - id: c2w2-ewa
    kind: cloze
    source: EWA
    question: 'EWA: $v_t = {{c1::\beta}} v_{t-1} + {{c2::(1-\beta)::one minus}} \theta_t$, about {{c3::10}} values for {{c4::$\beta = 0.9$}}.'
    explain: Why.
    tags: [ewa]
"""


@pytest.fixture(autouse=True)
def in_the_deck_directory(cards_dir, monkeypatch):
    monkeypatch.chdir(cards_dir)  # problems name deck files relative to the working directory


def one_card(question: str, extra: str = "") -> str:
    return f"course: 1\nweek: 1\ntitle: T\ncards:\n  - id: t-c\n    kind: cloze\n    question: {json.dumps(question)}\n{extra}"


def test_a_cloze_deck_card_is_one_card_per_cloze_with_its_note_id(write_deck, cli):
    write_deck("c2w2.yaml", EWA)
    collection = load_collection()
    assert list(collection.cards) == ["c2w2-ewa-c1", "c2w2-ewa-c2", "c2w2-ewa-c3", "c2w2-ewa-c4"]
    c1 = collection.cards["c2w2-ewa-c1"]
    assert (c1.kind, c1.note_id, c1.cloze_number, c1.tags, c1.explain) == ("cloze", "c2w2-ewa", 1, ("ewa",), "Why.")
    assert c1.answer == ((r"\beta", r"v_t = \dlqslot v_{t-1} + (1-\beta) \theta_t", "math"),)
    assert collection.cards["c2w2-ewa-c3"].answer == (("10", None, "number"),)
    assert collection.cards["c2w2-ewa-c4"].answer == ((r"\beta = 0.9", r"\dlqslot", "math"),)
    assert [card.id for card in collection.note("c2w2-ewa")] == list(collection.cards)
    assert collection.note("c2w2-ewa-c2") == collection.note("c2w2-ewa")
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    assert "1 cloze card (4 clozes)" in result.stdout


def test_show_the_note_or_one_cloze(write_deck, cli):
    write_deck("c2w2.yaml", EWA)
    note = cli("show", "c2w2-ewa", "--plain")
    text = note.stdout.replace("\xa0", " ")  # (a formula's spaces do not break)
    assert note.exit_code == 0
    assert "c1  β  c2w2-ewa-c1" in text and "c4  β = 0.9  c2w2-ewa-c4" in text
    one = cli("show", "c2w2-ewa-c2", "--plain").stdout.replace("\xa0", " ")
    assert "vₜ = βvₜ₋₁ + [one minus] θₜ" in one  # the hint in the box, the other clozes shown
    assert "about 10 values" in one


def test_a_cloze_id_taken_by_another_card_is_a_duplicate(write_deck, cli):
    write_deck("c2w2.yaml", EWA)
    write_deck("other.yaml", "course: 1\nweek: 1\ntitle: T\ncards:\n  - id: c2w2-ewa-c2\n    question: q\n    answer: a\n")
    result = cli("check")
    assert result.exit_code == 2
    assert "duplicate id 'c2w2-ewa-c2' (first at" in result.stderr


def test_a_cloze_deck_cards_id_taken_by_another_card_is_an_error(write_deck, cli):
    write_deck("c2w2.yaml", EWA)
    write_deck("other.yaml", "course: 1\nweek: 1\ntitle: T\ncards:\n  - id: c2w2-ewa\n    question: q\n    answer: a\n")
    result = cli("check")
    assert result.exit_code == 1
    assert result.stderr == "other.yaml:5: card 'c2w2-ewa': the id is taken by the cloze card at c2w2.yaml:5\n"


@pytest.mark.parametrize("question, message", [
    ("no cloze here", "a cloze card needs at least one cloze, like {{c1::hidden text}}"),
    ("{{c1::a}} {{c3::b}}", "cloze numbers skip c2 (found c1, c3)"),
    ("{{c2::a}}", "cloze numbers start at c1, not c2"),
    ("{{c1:: }}", "cloze c1 is empty"),
    ("{{c1::a::}}", "cloze c1 has an empty hint (leave out '::' for none)"),
    ("$\\frac{{{c1::a}{b}}}$", "cloze c1 has unbalanced braces: a '}' closes nothing in it"),
    ("{{c1::\\frac{a}{b", "cloze c1 has unbalanced braces: 1 '{' never closed"),
    ("$x {{c1::y$ z}}", "cloze c1 crosses the edge of a formula: put the whole formula or a part of it inside"),
    ("$x^{{c1::2^}}$", "cloze c1 leaves a '^' or '_' without its argument, so the formula no longer parses"),
    ("${{c1::\\frac}}{a}{b}$", "cloze c1 hides a command without its argument, so the formula no longer parses"),
    ("$\\left( {{c1::x \\right)}}$", "cloze c1 splits a \\left ... \\right pair, so the formula no longer parses"),
    ("{{c1:x}}", "malformed cloze '{{c1:': write {{c1::hidden}} or {{c1::hidden::hint}}"),
])
def test_each_fault_is_one_line_with_its_place_and_exit_2(write_deck, cli, question, message):
    write_deck("t.yaml", one_card(question))
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr == f"t.yaml:7: {message}\n"


def test_a_cloze_card_takes_no_answer_and_other_cards_no_clozes(write_deck, cli):
    write_deck("t.yaml", one_card("{{c1::a}}", "    answer: a\n") + "  - id: t-d\n    question: '{{c1::b}}'\n    answer: b\n")
    result = cli("check")
    assert result.exit_code == 2
    assert result.stderr == (
        "t.yaml:8: a cloze card has no 'answer': its hidden parts ({{c1::...}}) are the answers\n"
        "t.yaml:10: the question holds a cloze ({{c1::...}}) but the card is basic: add 'kind: cloze'\n")


# -- the fault classes, generated ---------------------------------------------------------------

_WORD = st.sampled_from(["the", "rate", "of", "decay", "is", "training", "a"])
_LATEX = st.sampled_from([r"\beta", r"\frac{1}{m}", r"x^{2}", r"v_{t-1}", r"\sqrt{s_{dW}}", r"(1-\beta)", r"\hat{y}"])


@st.composite
def valid_texts(draw) -> tuple[str, int]:
    """A cloze text with clozes c1..cN, in prose and inside `$...$`, and N."""
    count = draw(st.integers(1, 4))
    parts = []
    for number in draw(st.permutations(range(1, count + 1))):
        if draw(st.booleans()):
            parts.append(f"{draw(_WORD)} $a = {{{{c{number}::{draw(_LATEX)}}}}} + b$")
        else:
            parts.append(f"{draw(_WORD)} {{{{c{number}::{draw(_WORD)}}}}}")
    return " ".join(parts) + ".", count


def _break(text: str, count: int, fault: str, data) -> str:
    clozes = cloze.find(text)
    target = data.draw(st.sampled_from(clozes))
    if fault == "gap":
        return re.sub(r"\{\{c(\d+)::", lambda m: f"{{{{c{int(m[1]) + (int(m[1]) > 1 or count == 1)}::", text)
    if fault == "empty":
        return text[:target.start] + f"{{{{c{target.number}::}}}}" + text[target.end:]
    if fault == "none":
        return cloze.reveal(text)
    if fault == "unbalanced":  # a brace that closes nothing, first thing in the hidden part
        return text[:target.start] + f"{{{{c{target.number}::}}{target.content}}}}}" + text[target.end:]
    if fault == "split":  # a dangling script inside a formula's cloze
        revealed, spans = cloze.located(clozes, text)
        ranges = list(formula_ranges(revealed))
        math = [c for c, span in zip(clozes, spans) if cloze.place(span, ranges) is not None]
        item = data.draw(st.sampled_from(math)) if math else None
        if item is None:
            return text[:target.start] + f"{{{{c{target.number}::}}{target.content}}}}}" + text[target.end:]
        return text[:item.start] + f"{{{{c{item.number}::{item.content}^}}}}" + text[item.end:]
    raise AssertionError(fault)


_EXPECTED = {
    "gap": r"cloze numbers (skip c\d|start at c1)", "empty": r"cloze c\d is empty",
    "none": r"a cloze card needs at least one cloze", "unbalanced": r"unbalanced braces",
    "split": r"(leaves a '\^' or '_' without its argument|unbalanced braces)",
}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(valid_texts(), st.sampled_from(sorted(_EXPECTED)), st.data())
def test_generated_faults_are_reported_at_the_question_line(text_count, fault, data):
    text, count = text_count
    good, problems = load_text(one_card(text), "t.yaml", "t")
    assert not problems and len(good.cards) == count
    broken = _break(text, count, fault, data)
    deck, problems = load_text(one_card(broken), "t.yaml", "t")
    assert deck is None and problems, broken
    assert all(p.path == "t.yaml" and p.line == 7 for p in problems)
    assert re.search(_EXPECTED[fault], problems[0].message), (broken, problems)


BUNDLED = [c for c in load_collection(paths=discover([bundled_cards_dir()]), cache=False).cards.values() if c.cloze_number == 1]


@pytest.mark.skipif(not BUNDLED, reason="no bundled cloze cards")
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutations_of_the_bundled_cloze_cards_are_caught(data):
    card = data.draw(st.sampled_from(BUNDLED))
    count = len(cloze.numbers(cloze.find(card.question)))
    fault = data.draw(st.sampled_from(["gap", "empty", "none", "unbalanced"]))
    broken = _break(card.question, count, fault, data)
    deck, problems = load_text(one_card(broken), "t.yaml", "t")
    assert deck is None and re.search(_EXPECTED[fault], problems[0].message), (card.id, broken, problems)
