"""A card's schedule and how a grade moves it: `CardState` (its SM-2 state, due day, lapses,
burial, suspension), `Review` (one row of the log, with the state before and after), and `apply_grade`.
Pure: no store and no clock; dlquiz.review.store writes what these compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dlquiz.sm2 import SM2State
from dlquiz.sm2 import review as sm2_review


@dataclass(frozen=True)
class CardState:
    """A card's schedule: its SM-2 state, due day (None while new), lapses, burial, suspension."""

    sm2: SM2State = SM2State()
    due: date | None = None
    lapses: int = 0
    last_review: str | None = None
    buried_until: date | None = None
    suspended: bool = False

    @property
    def is_new(self) -> bool:
        return self.due is None


NEW = CardState()


@dataclass(frozen=True)
class Review:
    """One row of the review log."""

    id: int
    card_id: str
    kind: str
    grade: int | None
    day: date
    before: CardState
    after: CardState


def parse_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def iso_day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def apply_grade(state: CardState, grade: int, day: date, reviewed_at: str) -> CardState:
    """The state after a scheduled review: SM-2, the due day, and lapses.

    A lapse is a grade below 3 for a card that had been reviewed before (forgetting something
    never learned is not a lapse)."""
    new_sm2 = sm2_review(state.sm2, grade)
    lapsed = grade < 3 and state.due is not None
    return CardState(
        sm2=new_sm2, due=day + timedelta(days=new_sm2.interval), lapses=state.lapses + lapsed,
        last_review=reviewed_at, buried_until=state.buried_until, suspended=state.suspended,
    )
