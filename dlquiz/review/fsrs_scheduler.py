"""FSRS (the Free Spaced Repetition Scheduler) in dlquiz's whole days, computed by the `fsrs`
package (py-fsrs), imported only here and only when FSRS is chosen.

dlquiz feeds py-fsrs each scheduled review at midnight UTC of its review day, so the time since
the last review is a whole number of days as dlquiz counts them; with no learning or relearning
steps (`learning_steps=()`, `relearning_steps=()`; the session's same-day re-drill plays that
part and is not a review for FSRS). Grades map to ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy. The
due day is the review day + FSRS's interval. With `fuzz`, the interval is spread as py-fsrs does,
from a random draw seeded by the card and the day, so a replay gives the same days again.

`Scheduler.review_card` costs about 12-22 µs a review (it copies the card and builds a log entry);
replaying a 500,000-row log through it would miss the 5 s target, so `_memory` drives the same
scheduler's own lower-level steps (`_initial_stability`, `_next_stability`, ...) in the order
`review_card` takes them, with no formula of our own. tests/review/test_fsrs.py proves the two
agree on random histories (the oracle), and pyproject pins fsrs below 7 to keep that API.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

import fsrs

from dlquiz.errors import UsageError
from dlquiz.review.schedule import CardState, Row, apply_grade, replay
from dlquiz.sm2 import GRADES, MAX_INTERVAL

RATINGS = (fsrs.Rating.Again, fsrs.Rating.Again, fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy)
DEFAULT_PARAMETERS = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def rating(grade: int) -> fsrs.Rating:
    """The FSRS rating of a 0-5 grade: 0-2 Again, 3 Hard, 4 Good, 5 Easy."""
    return RATINGS[grade]


def review_time(day: date) -> datetime:
    """The moment FSRS is told a review happened: midnight UTC of its review day."""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def py_fsrs_scheduler(parameters=None, desired_retention: float = 0.9, fuzz: bool = False) -> fsrs.Scheduler:
    """py-fsrs's scheduler with dlquiz's settings: whole days, no learning or relearning steps."""
    try:
        return fsrs.Scheduler(
            parameters=tuple(parameters) if parameters is not None else DEFAULT_PARAMETERS,
            desired_retention=desired_retention, learning_steps=(), relearning_steps=(),
            maximum_interval=MAX_INTERVAL, enable_fuzzing=fuzz,
        )
    except ValueError as exc:
        raise UsageError("fsrs_parameters in config.toml: " + "; ".join(str(exc).splitlines()[1:] or [str(exc)])) from None


class FSRS:
    """The FSRS scheduler (see the module docstring) with its parameters, retention and fuzz."""

    name = "fsrs"

    def __init__(self, parameters=None, desired_retention: float = 0.9, fuzz: bool = False):
        self.scheduler = py_fsrs_scheduler(parameters, desired_retention, fuzz)
        self.parameters = self.scheduler.parameters
        self.desired_retention = desired_retention
        self.fuzz = fuzz
        settings = json.dumps([list(self.parameters), desired_retention, fuzz])
        self.digest = "fsrs " + hashlib.sha256(settings.encode()).hexdigest()[:16]
        self._card = fsrs.Card(card_id=0, state=fsrs.State.Review, last_review=_EPOCH)  # for retrievability
        self._moments: dict[int, datetime] = {}  # elapsed days -> _EPOCH + that many days
        s = self.scheduler  # its steps, bound once: the batch replay calls them half a million times
        self._steps = (s._initial_stability, s._initial_difficulty, s._short_term_stability, s._next_stability,
                       s._next_difficulty)

    # -- py-fsrs's steps, as Scheduler.review_card takes them for a card in the Review state
    def retrievability(self, stability: float, elapsed_days: int) -> float:
        """The predicted probability of recall `elapsed_days` after a review left `stability`."""
        card = self._card
        card.stability = stability
        moment = self._moments.get(elapsed_days)
        if moment is None:
            moment = self._moments[elapsed_days] = _EPOCH + timedelta(days=elapsed_days)
        return self.scheduler.get_card_retrievability(card, moment)

    def memory(self, stability: float | None, difficulty: float | None, elapsed_days: int, grade: int) -> tuple[float, float]:
        """(stability, difficulty) after a review graded `grade`, `elapsed_days` after the last
        one (stability None: the card's first review)."""
        initial_stability, initial_difficulty, short_term_stability, next_stability, next_difficulty = self._steps
        rated = RATINGS[grade]
        if stability is None or difficulty is None:
            return initial_stability(rating=rated), initial_difficulty(rating=rated, clamp=True)
        if elapsed_days < 1:
            stability = short_term_stability(stability=stability, rating=rated)
        else:
            stability = next_stability(difficulty=difficulty, stability=stability, rating=rated,
                                       retrievability=self.retrievability(stability, elapsed_days))
        return stability, next_difficulty(difficulty=difficulty, rating=rated)

    def interval(self, stability: float, card_id: str, day: date) -> int:
        """Days until the next review, fuzzed (reproducibly: seeded by card and day) if asked."""
        days = self.scheduler._next_interval(stability=stability)
        if not self.fuzz:
            return days
        saved = random.getstate()  # py-fsrs draws from the module-level generator
        random.seed(f"{card_id}:{day.isoformat()}")
        try:
            return self.scheduler._get_fuzzed_interval(interval=timedelta(days=days)).days
        finally:
            random.setstate(saved)

    # -- the scheduler interface (dlquiz.review.schedulers)
    def apply(self, state: CardState, grade: int, day: date, reviewed_at: str, card_id: str) -> CardState:
        elapsed = 0 if state.last_day is None else (day - state.last_day).days
        stability, difficulty = self.memory(state.stability, state.difficulty, elapsed, grade)
        after = apply_grade(state, grade, day, reviewed_at)  # SM-2's part, lapses, last day
        return replace(after, due=day + timedelta(days=self.interval(stability, card_id, day)),
                       stability=stability, difficulty=difficulty)

    def preview(self, state: CardState, day: date, card_id: str) -> dict[int, int]:
        return {q: (self.apply(state, q, day, "", card_id).due - day).days for q in GRADES}

    def replay(self, rows: Iterable[Row]) -> dict[str, CardState]:
        return replay(rows, self.memory, self.interval)
