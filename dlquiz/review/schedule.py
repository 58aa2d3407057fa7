"""A card's schedule and how a grade moves it: `CardState` (its SM-2 state, due day, lapses,
burial, suspension, and FSRS's memory state when FSRS schedules), `Review` (one row of the log,
with the state before and after), and `apply_grade` (SM-2). Pure: no store and no clock;
dlquiz.review.store writes what these compute, dlquiz.review.schedulers chooses between SM-2 and FSRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterable

from dlquiz.sm2 import START_EF_CENTI, SM2State
from dlquiz.sm2 import review as sm2_review
from dlquiz.sm2 import step as sm2_step


@dataclass(frozen=True)
class CardState:
    """A card's schedule: its SM-2 state, due day (None while new: the day the active scheduler
    chose), lapses, burial, suspension; the review day of its last scheduled review; and, under
    FSRS only, its memory state (stability in days, difficulty 1-10)."""

    sm2: SM2State = SM2State()
    due: date | None = None
    lapses: int = 0
    last_review: str | None = None
    buried_until: date | None = None
    last_day: date | None = None
    stability: float | None = None
    difficulty: float | None = None
    suspended: bool = False

    @property
    def is_new(self) -> bool:
        return self.due is None

    @property
    def sm2_due(self) -> date | None:
        """The day SM-2 schedules, whichever scheduler is active (the log records SM-2's days)."""
        return None if self.last_day is None else self.last_day + timedelta(days=self.sm2.interval)


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
    """The state after a scheduled review: SM-2, the due day, and lapses."""
    new_sm2 = sm2_review(state.sm2, grade)
    return CardState(
        sm2=new_sm2, due=day + timedelta(days=new_sm2.interval), lapses=state.lapses + lapsed(grade, state.due is not None),
        last_review=reviewed_at, buried_until=state.buried_until, last_day=day, suspended=state.suspended,
    )


def lapsed(grade: int, reviewed_before: bool) -> bool:
    """A lapse is a grade below 3 for a card that had been reviewed before (forgetting something
    never learned is not a lapse)."""
    return grade < 3 and reviewed_before


Row = tuple[int, str, int, str, str]  # (log id, card id, grade, review day, reviewed_at): store._effective_reviews
Memory = Callable[[float | None, float | None, int, int], tuple[float, float]]
Interval = Callable[[float, str, date], int]


def replay(rows: Iterable[Row], memory: Memory | None = None, interval: Interval | None = None) -> dict[str, CardState]:
    """Every card's state after the given reviews, taken in the order given: what applying them
    one at a time would give, without a CardState per review (a 500,000-row log replays in
    seconds). SM-2 is computed always; with `memory(stability, difficulty, elapsed days, grade)`
    FSRS's memory state too, and the due day is the last review day + `interval(stability, card
    id, day)` instead of SM-2's interval. Burials are not in the log: none is set."""
    cards: dict[str, tuple] = {}
    ordinals: dict[str, int] = {}
    for _, card_id, grade, day, at in rows:
        today = ordinals.get(day)
        if today is None:
            today = ordinals[day] = date.fromisoformat(day).toordinal()
        seen = cards.get(card_id)
        if seen is None:
            reps, ef, ivl, lapses, last, stability, difficulty = 0, START_EF_CENTI, 0, 0, None, None, None
        else:
            reps, ef, ivl, lapses, last, _, stability, difficulty = seen
        if memory is not None:
            stability, difficulty = memory(stability, difficulty, 0 if last is None else today - last, grade)
        lapses += lapsed(grade, last is not None)
        reps, ef, ivl = sm2_step(reps, ef, ivl, grade)
        cards[card_id] = (reps, ef, ivl, lapses, today, at, stability, difficulty)
    states = {}
    for card_id, (reps, ef, ivl, lapses, last, at, stability, difficulty) in cards.items():
        day = date.fromordinal(last)
        days = ivl if interval is None else interval(stability, card_id, day)
        states[card_id] = CardState(SM2State.from_centi(reps, ef, ivl), day + timedelta(days=days), lapses, at, None,
                                    day, stability, difficulty)
    return states
