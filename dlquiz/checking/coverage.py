"""How much of a collection code checks, and how long the answers are that it cannot check: the
figures `dlquiz check` reports after validating (and `--json` prints).

The unit is the deck card, as written in a deck: a cloze deck card counts once, however many
clozes it has (its review cards are counted apart). A deck card is checked by code when a review
asks the learner to type its answer and code checks it: true/false, choice, numeric, shape,
formula and order cards, template cards, and cloze cards whose every hidden part can be checked
(dlquiz.checking.clozes). Basic cards are self-graded; the word counts are of their answers
(words are what whitespace separates, math and Markdown included).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Iterable

from dlquiz.checking import clozes
from dlquiz.checking.answers import CHECKABLE
from dlquiz.model import Card

LONG = 80  # words: a self-graded answer longer than this holds more than one fact
TABLE_TAG = "table"  # a long answer kept on purpose: the table itself is what must be remembered


@dataclass
class Coverage:
    deck_cards: int = 0
    review_cards: int = 0
    checked: int = 0
    cloze_cards: int = 0  # cloze deck cards
    clozes: int = 0  # their review cards, one per cloze number
    self_graded_words: list[int] = field(default_factory=list)
    long: list[str] = field(default_factory=list)  # self-graded cards over LONG words, not tagged table
    long_tables: list[str] = field(default_factory=list)  # the same, tagged table

    @property
    def share(self) -> float:
        return self.checked / self.deck_cards if self.deck_cards else 0.0

    @property
    def median_words(self) -> float:
        return statistics.median(self.self_graded_words) if self.self_graded_words else 0.0

    def to_dict(self) -> dict:
        return {
            "deck_cards": self.deck_cards, "review_cards": self.review_cards,
            "checked_by_code": self.checked, "checked_share": round(self.share, 4),
            "cloze_cards": self.cloze_cards, "clozes": self.clozes,
            "self_graded": len(self.self_graded_words), "median_words": self.median_words,
            f"over_{LONG}_words": self.long, f"over_{LONG}_words_tables": self.long_tables,
        }

    def line(self) -> str:
        """One line for `dlquiz check`."""
        tables = f" ({len(self.long_tables)} more tagged {TABLE_TAG})" if self.long_tables else ""
        return (f"checked by code: {self.checked} of {self.deck_cards} deck cards ({self.share:.1%}); "
                f"{_count(self.cloze_cards, 'cloze card')} ({_count(self.clozes, 'cloze')}); self-graded answers: median "
                f"{self.median_words:g} words, {len(self.long)} over {LONG}{tables}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def words(text: object) -> int:
    return len(str(text).split())


def coverage(cards: Iterable[Card]) -> Coverage:
    """The figures for these cards (a collection's, or some decks')."""
    report = Coverage()
    notes: dict[str, list[Card]] = {}
    for card in cards:
        report.review_cards += 1
        if card.note_id is not None:
            notes.setdefault(card.note_id, []).append(card)
            continue
        report.deck_cards += 1
        if card.template is not None or card.kind in CHECKABLE:
            report.checked += 1
            continue
        count = words(card.answer)
        report.self_graded_words.append(count)
        if count > LONG:
            (report.long_tables if TABLE_TAG in card.tags else report.long).append(card.id)
    for siblings in notes.values():
        report.deck_cards += 1
        report.cloze_cards += 1
        report.clozes += len(siblings)
        report.checked += all(clozes.checkable(card.answer) for card in siblings)
    return report
