"""`dlquiz stats --schedulers`: SM-2, FSRS with py-fsrs's default parameters and FSRS fitted to
the learner's log, judged on that log as the open srs-benchmark judges algorithms. No terminal
code: `compare` returns a `Comparison` (`to_dict()` is the `--json` output); dlquiz.stats.view
draws it.

- **What is predicted**: before every scheduled review (a card's review on a later day than its
  previous one; one per card per day, re-drills and cram answers left out, as for the optimizer:
  dlquiz.review.fsrs_fit), each scheduler's probability that the card is recalled, from the card's
  history so far; what happened is `passed` = graded 3 or more.
- **SM-2 as a probability**, as srs-benchmark does for SM-2: its interval I is read as the time
  at which recall falls to 90%, on the curve R(t) = 0.9^(t / I), t the days since the previous
  review. FSRS gives its retrievability (py-fsrs's own).
- **Log loss**: the mean of -ln(p) over passed reviews and -ln(1 - p) over failed ones.
- **RMSE (bins)**, srs-benchmark's definition (its `rmse_matrix`): reviews are binned by the days
  since the previous review, the review's number in the card's history and the card's lapses so
  far, each rounded on a log scale (2.48·3.62^⌊ln t / ln 3.62⌋, 1.99·1.89^⌊ln n / ln 1.89⌋,
  1.65·1.73^⌊ln l / ln 1.73⌋, 0 lapses its own bin); RMSE between each bin's mean prediction and
  its pass rate, weighted by the bin's reviews.
- **Time-series split** (srs-benchmark's, sklearn's TimeSeriesSplit with 5 splits): the scheduled
  reviews in log order are cut into 6 equal parts; part k (1..5) is predicted with FSRS fitted on
  the reviews before it, so fitted FSRS is never judged on what it was fitted to. Every scheduler
  is judged on the same reviews: parts 1-5 (all of them when there are too few to split).
- **Reviews scheduled**: over the period (the first review in the log to today), the reviews each
  scheduler would have asked for, estimated from the learner's own answers: after each review,
  the days until the card's next review (or today) divided by the interval that scheduler gave
  then, summed, plus each card's first review. Fitted FSRS uses the parameters fitted on the
  whole log; FSRS uses the configured desired retention, without fuzz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from dlquiz.config import Config
from dlquiz.errors import UsageError
from dlquiz.review import fsrs_fit
from dlquiz.review.fsrs_fit import Prediction, Step
from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.store import Store
from dlquiz.sm2 import START_EF_CENTI
from dlquiz.sm2 import step as sm2_step

SPLITS = 5


@dataclass(frozen=True)
class Score:
    """One scheduler's figures on the judged reviews (None: could not be computed; see `note`)."""

    name: str
    label: str
    log_loss: float | None
    rmse_bins: float | None
    scheduled: int | None
    note: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "label": self.label,
                "log_loss": None if self.log_loss is None else round(self.log_loss, 4),
                "rmse_bins": None if self.rmse_bins is None else round(self.rmse_bins, 4),
                "reviews_scheduled": self.scheduled, "note": self.note or None}


@dataclass(frozen=True)
class Comparison:
    """SM-2 and FSRS on the learner's log (see the module docstring)."""

    today: date
    start: date | None  # the log's first scheduled review day
    cards: int
    reviews: int  # scheduled reviews in the log
    judged: int  # of which judged: the test parts of the split
    split: bool  # False: too few reviews to split; every scheduler judged on all of them
    desired_retention: float
    scores: list[Score] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "today": self.today.isoformat(), "from": self.start.isoformat() if self.start else None,
            "cards": self.cards, "reviews": self.reviews, "judged": self.judged,
            "split": f"time series, {SPLITS} splits" if self.split else None, "desired_retention": self.desired_retention,
            "schedulers": [score.to_dict() for score in self.scores],
        }


# -- the metrics (srs-benchmark's definitions)
def _bin(value: float, scale: float, base: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), digits)


def rmse_bins(predictions: list[tuple[float, Prediction]]) -> float | None:
    """srs-benchmark's RMSE (bins) of (probability, review) pairs; None for none."""
    bins: dict[tuple, list[float]] = {}
    for p, review in predictions:
        key = (_bin(max(review.elapsed, 1e-6), 2.48, 3.62, 2), _bin(review.number, 1.99, 1.89, 0),
               _bin(review.lapses, 1.65, 1.73, 0) if review.lapses else 0)
        tally = bins.setdefault(key, [0.0, 0.0, 0])
        tally[0] += p
        tally[1] += review.passed
        tally[2] += 1
    total = sum(n for _, _, n in bins.values())
    if not total:
        return None
    return math.sqrt(sum(n * (p / n - y / n) ** 2 for p, y, n in bins.values()) / total)


def _score(name: str, label: str, pairs: list[tuple[float, Prediction]], scheduled: int | None, note: str = "") -> Score:
    return Score(name, label, fsrs_fit.log_loss((p, r.passed) for p, r in pairs), rmse_bins(pairs), scheduled, note)


# -- SM-2's predictions and everyone's workload
def sm2_intervals(history: list[Step]) -> list[int]:
    """SM-2's interval after each review of a history (dlquiz's exact SM-2)."""
    reps, ef, interval, found = 0, START_EF_CENTI, 0, []
    for step in history:
        reps, ef, interval = sm2_step(reps, ef, interval, step.grade)
        found.append(interval)
    return found


def fsrs_intervals(scheduler: FSRS, history: list[Step]) -> list[int]:
    """FSRS's interval after each review of a history."""
    stability = difficulty = None
    found = []
    for step, previous in zip(history, [None, *history]):
        stability, difficulty = scheduler.memory(stability, difficulty, 0 if previous is None else step.day - previous.day,
                                                 step.grade)
        found.append(scheduler.interval(stability, "", date.fromordinal(step.day)))
    return found


def workload(cards: dict[str, list[Step]], intervals, today: int) -> int:
    """The reviews a scheduler would have asked for (module docstring), from `intervals(history)`."""
    total = 0.0
    for history in cards.values():
        ends = [step.day for step in history[1:]] + [today]
        total += 1 + sum(max(0, end - step.day) / interval for step, end, interval in zip(history, ends, intervals(history)))
    return round(total)


def sm2_predictions(cards: dict[str, list[Step]]) -> list[float]:
    """0.9^(t / I) before each review after a card's first, in the order of fsrs_fit.predictions."""
    found = []
    for history in cards.values():
        for step, previous, interval in zip(history[1:], history, sm2_intervals(history)):
            found.append(0.9 ** ((step.day - previous.day) / interval))
    return found


# -- the comparison
def test_parts(n: int) -> list[tuple[int, int]]:
    """TimeSeriesSplit(n_splits=5)'s test index ranges over n reviews (none when n < 6)."""
    size = n // (SPLITS + 1)
    if not size:
        return []
    return [(start, start + size) for start in range(n - SPLITS * size, n, size)]


def compare(store: Store | None, day: date, config: Config, card_ids: set[str] | None = None) -> Comparison:
    """SM-2, FSRS with default parameters and fitted FSRS on the log (of `card_ids`, or all)."""
    cards = fsrs_fit.histories(store.scheduled_reviews()) if store is not None else {}
    if card_ids is not None:
        cards = {card: history for card, history in cards.items() if card in card_ids}
    default = FSRS(desired_retention=config.desired_retention)
    reviews = fsrs_fit.predictions(default, cards)  # every scheduled review, in the order of `cards`
    by_time = sorted(range(len(reviews)), key=lambda i: reviews[i].order)
    parts = test_parts(len(reviews))
    judged = [i for start, end in parts for i in by_time[start:end]] if parts else by_time
    today = day.toordinal()
    sm2 = sm2_predictions(cards)
    scores = [
        _score("sm2", "SM-2", [(sm2[i], reviews[i]) for i in judged], workload(cards, sm2_intervals, today)),
        _score("fsrs_default", "FSRS, default parameters", [(reviews[i].p, reviews[i]) for i in judged],
               workload(cards, lambda h: fsrs_intervals(default, h), today)),
        _fitted(cards, reviews, by_time, parts, judged, config, today),
    ]
    first = min((history[0].day for history in cards.values()), default=None)
    return Comparison(day, date.fromordinal(first) if first else None, len(cards), len(reviews), len(judged),
                      bool(parts), config.desired_retention, scores)


def _fitted(cards, reviews: list[Prediction], by_time: list[int], parts, judged: list[int], config: Config, today: int) -> Score:
    """FSRS fitted per split on the reviews before the part it predicts."""
    name, label = "fsrs_fitted", "FSRS, fitted to your log"
    if len(reviews) < fsrs_fit.MIN_REVIEWS or not parts:
        return Score(name, label, None, None, None, f"needs {fsrs_fit.MIN_REVIEWS} scheduled reviews")
    try:
        fsrs_fit.optimizer()
    except UsageError:
        return Score(name, label, None, None, None, f"needs the optimizer: {fsrs_fit.INSTALL}")
    p = {}
    for start, end in parts:
        # Fitted on the reviews before this part; with fewer than optimize needs, the defaults
        # stay, as they would for the learner (`dlquiz optimize` refuses to fit so few).
        fitted = FSRS(fsrs_fit.fit(cards, before=reviews[by_time[start]].order) if start >= fsrs_fit.MIN_REVIEWS
                      else None, config.desired_retention)
        predicted = fsrs_fit.predictions(fitted, cards)
        p.update((i, predicted[i].p) for i in by_time[start:end])
    whole = FSRS(fsrs_fit.fit(cards), config.desired_retention)
    return _score(name, label, [(p[i], reviews[i]) for i in judged], workload(cards, lambda h: fsrs_intervals(whole, h), today))
