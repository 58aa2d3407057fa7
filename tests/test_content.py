"""Content is code: the bundled decks load, validate, and every reference check agrees with the
card's stated answer; every formula parses."""

from __future__ import annotations

import re

import pytest

from dlquiz.checking import answers, checks, clozes, coverage, formula
from dlquiz.decks.collection import load_collection
from dlquiz.decks.files import discover
from dlquiz.paths import bundled_cards_dir

COLLECTION = load_collection(paths=discover([bundled_cards_dir()]))
CARDS = list(COLLECTION.cards.values())
WEEKS = ["c1w1", "c1w2", "c1w3", "c1w4", "c2w1", "c2w2", "c2w3", "c3w1", "c3w2",
         "c4w1", "c4w2", "c4w3", "c4w4", "c5w1", "c5w2", "c5w3", "c5w4"]


def test_seventeen_decks_one_per_week():
    assert [d.id for d in COLLECTION.decks] == WEEKS
    for deck in COLLECTION.decks:
        assert deck.id == f"c{deck.course}w{deck.week}"
        assert deck.title and deck.course_title
        assert len(deck.cards) >= 2, deck.id


def test_more_than_a_hundred_cards_with_unique_ids():
    ids = [card.id for deck in COLLECTION.decks for card in deck.cards]
    assert len(ids) > 100
    assert len(ids) == len(set(ids))


def test_every_card_records_its_source_and_is_answered_in_full():
    for card in CARDS:
        assert card.source, card.id
        assert card.id.startswith(card.deck + "-"), card.id
        text = str(card.answer) + (card.explain or "")
        assert not re.search(r"\bsee (the )?notes\b", text, re.I), card.id


def test_the_checkable_kinds_are_used():
    kinds = {card.kind for card in CARDS}
    assert kinds == {"basic", "truefalse", "choice", "numeric", "shape", "formula", "cloze", "order"}


def test_every_cited_paper_has_a_card():
    papers = [card for card in CARDS if "paper" in card.tags]
    assert len(papers) >= 18
    assert all(card.cite and card.cite not in str(card.answer) for card in papers)  # the answer is the idea
    text = " ".join(card.question + str(card.answer) + card.cite for card in papers)
    for author in ["LeCun", "Krizhevsky", "Simonyan", "He, K", "Szegedy", "Howard", "Tan, M", "Redmon",
                   "Ronneberger", "Taigman", "Schroff", "Zeiler", "Gatys", "Cho, K", "Chung, J",
                   "Hochreiter", "Bolukbasi", "Dosovitskiy"]:
        assert author in text, author


@pytest.mark.parametrize("card", [c for c in CARDS if c.check], ids=lambda c: c.id)
def test_reference_check_agrees_with_the_answer(card):
    assert checks.mismatch(card, checks.evaluate(card.check)) is None


@pytest.mark.parametrize("card", [c for c in CARDS if c.kind == "formula"], ids=lambda c: c.id)
def test_formula_expression_parses(card):
    expression = formula.parse(card.expr)
    assert expression.free_symbols or expression.is_number


def test_known_mistakes_of_the_notes_are_corrected_and_noted():
    notes = {card.id: card for card in CARDS if card.note}
    assert len(notes) >= 8
    text = {card.id: str(card.answer) + " " + (card.explain or "") for card in CARDS}
    everything = " ".join(text.values())
    assert "np.random.rand(" in everything  # the notes' np.rand(a, b) does not exist
    assert "0.999" in everything  # Adam's beta2 default, the notes' table says 0.99
    joined_notes = " ".join(card.note for card in notes.values())
    for what in ["np.rand", "0.99", "tanh"]:
        assert what in joined_notes, what


# -- the goals of issue 18: cards that teach -------------------------------------------------

FIGURES = coverage.coverage(CARDS)


def test_three_in_four_deck_cards_are_checked_by_code():
    assert FIGURES.share >= 0.75, f"{FIGURES.checked} of {FIGURES.deck_cards}"


def test_at_least_forty_cloze_deck_cards():
    assert FIGURES.cloze_cards >= 40  # deck cards; their clozes (review cards) are counted apart


def test_self_graded_answers_are_short():
    assert FIGURES.median_words <= 35
    assert FIGURES.long == []  # over 80 words only when tagged `table`, kept on purpose


@pytest.mark.parametrize("card", [c for c in CARDS if c.kind == "cloze"], ids=lambda c: c.id)
def test_every_bundled_cloze_is_checked_by_code_and_takes_its_own_answer(card):
    assert clozes.checkable(card.answer), card.answer
    typed = "; ".join(content.strip("$") for content, _, _ in card.answer)
    verdict = answers.check_card(card, typed)
    assert verdict.correct, verdict.feedback
