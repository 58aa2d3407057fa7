"""FSRS fitted to the learner's own log (`dlquiz optimize`), and what FSRS predicts on it.

The log gives each card's history as FSRS optimizers expect it: its scheduled reviews (kind
`review`, none undone; re-drills and cram answers are not reviews), at most one per card per
review day (the first: later ones that day measure nothing over an interval), in the store's
replay order (`Store.scheduled_reviews`). A history is a list of `Step`s; `order` is the
review's place in that order over the whole log, which `dlquiz stats --schedulers` splits by time.

The optimizer is fsrs-rs-python, FSRS's own Rust optimizer, with no PyTorch: an optional extra
(`pip install 'dlquiz[optimizer]'`), imported only here. Predictions (the probability of recall
before each review) come from the scheduler dlquiz runs, py-fsrs (dlquiz.review.fsrs_scheduler).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Iterable, NamedTuple

from dlquiz.errors import UsageError
from dlquiz.review.fsrs_scheduler import FSRS, RATINGS
from dlquiz.review.schedule import Row

MIN_REVIEWS = 400  # scheduled reviews (a card's second review on or later): fewer fit noise
INSTALL = "pip install 'dlquiz[optimizer]'"
EPSILON = 1e-6  # predictions are kept within [EPSILON, 1 - EPSILON] for the log loss


class Step(NamedTuple):
    """One review of a card's history: its review day (ordinal), grade 0-5, place in the log."""

    day: int
    grade: int
    order: int


def histories(rows: Iterable[Row]) -> dict[str, list[Step]]:
    """Each card's scheduled reviews, one per review day, from rows in replay order."""
    cards: dict[str, list[Step]] = {}
    ordinals: dict[str, int] = {}
    order = 0
    for _, card_id, grade, day, _ in rows:
        today = ordinals.get(day)
        if today is None:
            today = ordinals[day] = date.fromisoformat(day).toordinal()
        history = cards.setdefault(card_id, [])
        if history and history[-1].day == today:
            continue
        history.append(Step(today, grade, order))
        order += 1
    return cards


def scheduled_count(cards: dict[str, list[Step]]) -> int:
    """The reviews that come after a card's first: those a model of memory can be judged on."""
    return sum(len(history) - 1 for history in cards.values())


def optimizer():
    """The fsrs_rs_python module, or a UsageError saying how to install it."""
    try:
        import fsrs_rs_python
    except ImportError:
        raise UsageError(f"the FSRS optimizer is not installed: {INSTALL}") from None
    return fsrs_rs_python


def fit(cards: dict[str, list[Step]], before: int | None = None) -> tuple[float, ...]:
    """FSRS parameters fitted (by fsrs-rs-python) to the histories, using only the reviews whose
    `order` is below `before` (all when None), within py-fsrs's bounds."""
    rs = optimizer()
    items = []
    for history in cards.values():
        reviews = []
        for step, previous in zip(history, [None, *history]):
            if before is not None and step.order >= before:
                break
            reviews.append(rs.FSRSReview(int(RATINGS[step.grade]), 0 if previous is None else step.day - previous.day))
            if previous is not None:  # an item per review after the first: the history up to it
                items.append(rs.FSRSItem(list(reviews)))
    if not items:
        return FSRS().parameters
    fitted = rs.FSRS(list(rs.DEFAULT_PARAMETERS)).compute_parameters(items)
    return clamp(fitted)


def clamp(parameters) -> tuple[float, ...]:
    """Parameters within py-fsrs's bounds, to 4 decimals (as config.toml keeps them)."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(round(min(max(float(p), low), high), 4)
                 for p, low, high in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))


@dataclass(frozen=True)
class Prediction:
    """FSRS's probability of recall before one scheduled review, and what happened."""

    p: float
    passed: bool  # graded 3 or more
    elapsed: int  # days since the card's previous review
    number: int  # the review's number in the card's history (its second review is 2)
    lapses: int  # the card's lapses before this review
    order: int


def predictions(scheduler: FSRS, cards: dict[str, list[Step]]) -> list[Prediction]:
    """Before every scheduled review: the recall probability FSRS gives from the card's history so far."""
    found = []
    for history in cards.values():
        stability = difficulty = None
        lapses = 0
        for number, (step, previous) in enumerate(zip(history, [None, *history]), start=1):
            elapsed = 0 if previous is None else step.day - previous.day
            if previous is not None:
                found.append(Prediction(scheduler.retrievability(stability, elapsed), step.grade >= 3, elapsed, number,
                                        lapses, step.order))
                lapses += step.grade < 3
            stability, difficulty = scheduler.memory(stability, difficulty, elapsed, step.grade)
    return found


def log_loss(pairs: Iterable[tuple[float, bool]]) -> float | None:
    """Mean binary cross-entropy of (probability, outcome) pairs; None for none."""
    total = n = 0
    for p, passed in pairs:
        p = min(max(p, EPSILON), 1 - EPSILON)
        total -= math.log(p if passed else 1 - p)
        n += 1
    return total / n if n else None
