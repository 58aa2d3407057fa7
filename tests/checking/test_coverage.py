"""`dlquiz check` reports how much code checks: the share of deck cards checked by code, the cloze
cards, and the word counts of self-graded answers, in a line and as `--json`."""

from __future__ import annotations

import json

from dlquiz.checking.coverage import coverage
from dlquiz.decks.collection import load_collection

LONG = " ".join(["word"] * 81)
DECK = f"""course: 1
week: 1
title: T
cards:
  - id: t-basic
    question: Short?
    answer: Four words of answer.
  - id: t-long
    question: Long?
    answer: {LONG}
  - id: t-table
    question: The table?
    answer: {LONG}
    tags: [table]
  - id: t-number
    kind: numeric
    question: How many?
    answer: 3
  - id: t-drill
    template: conv_output_size
  - id: t-cloze
    kind: cloze
    question: '$v = {{{{c1::\\beta}}}} v + {{{{c2::(1-\\beta)}}}} x$'
  - id: t-self
    kind: cloze
    question: '$\\int_0^1 {{{{c1::x}}}} \\, dx$'
"""


def test_the_share_counts_deck_cards_and_a_cloze_once(write_deck):
    write_deck("t.yaml", DECK)
    figures = coverage(load_collection().cards.values())
    assert (figures.deck_cards, figures.review_cards) == (7, 8)
    assert figures.checked == 3  # numeric, template, the checkable cloze; not the cloze left to the learner
    assert (figures.cloze_cards, figures.clozes) == (2, 3)
    assert figures.self_graded_words == [4, 81, 81]
    assert (figures.long, figures.long_tables) == (["t-long"], ["t-table"])
    assert figures.median_words == 81


def test_check_prints_the_figures_and_json(write_deck, cli):
    write_deck("t.yaml", DECK)
    result = cli("check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "checked by code: 3 of 7 deck cards (42.9%); 2 cloze cards (3 clozes); "
        "self-graded answers: median 81 words, 1 over 80 (1 more tagged table)")
    data = json.loads(cli("check", "--json").stdout)
    assert data["checked_by_code"] == 3 and data["checked_share"] == 0.4286 and data["cloze_cards"] == 2
    assert data["over_80_words"] == ["t-long"] and data["over_80_words_tables"] == ["t-table"]
    assert data["median_words"] == 81 and data["problems"] == [] and data["cards"] == 8
