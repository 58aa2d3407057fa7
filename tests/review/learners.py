"""Synthetic learners whose memory is an FSRS model with known parameters: each card's recall at a
review is drawn (seeded RNG) with the probability py-fsrs's retrievability gives under the TRUE
parameters, and the cards are scheduled by SM-2 or by FSRS, as dlquiz would have. What they answer
goes into a real store through `Store.record`, or stays a list of histories."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from dlquiz.review.fsrs_fit import Step
from dlquiz.review.fsrs_scheduler import FSRS
from dlquiz.review.schedulers import SM2
from dlquiz.review.store import Store
from dlquiz.review.schedule import NEW

START = date(2026, 1, 1)
# A learner unlike py-fsrs's defaults: slower first memories, faster growth, a steeper curve.
TRUE_PARAMETERS = (0.4, 0.9, 3.5, 12.0, 7.0, 0.6, 2.0, 0.01, 1.4, 0.12, 1.1, 1.8, 0.09, 0.3, 1.9, 0.5, 2.2, 0.4,
                   0.2, 0.1, 0.3)
FIRST = (1, 3, 4, 4, 4, 5)  # first answers: Again 1/6, Hard 1/6, Good 1/2, Easy 1/6
PASSED = (3, 4, 4, 4, 4, 4, 5)  # grades of a recalled card


def simulate(n_cards: int, days: int, seed: int, scheduler=None, per_day: int = 8):
    """Yield (day, card id, grade) in time order: `per_day` new cards a day until `n_cards`, and
    every due card, remembered with the true model's probability, scheduled by `scheduler`
    (default SM-2, as dlquiz schedules unless told otherwise)."""
    rng = random.Random(seed)
    truth = FSRS(TRUE_PARAMETERS)
    scheduler = scheduler or SM2()
    memory: dict[str, tuple] = {}  # card -> (stability, difficulty, last day)
    states: dict[str, object] = {}
    due: dict[str, date] = {}
    introduced = 0
    for k in range(days):
        day = START + timedelta(days=k)
        today = sorted(card for card, when in due.items() if when <= day)
        while introduced < n_cards and len(today) < per_day * 20 and introduced < per_day * (k + 1):
            today.append(f"card-{introduced:04d}")
            introduced += 1
        for card in today:
            if card in memory:
                stability, difficulty, last = memory[card]
                recalled = rng.random() < truth.retrievability(stability, (day - last).days)
                grade = rng.choice(PASSED) if recalled else rng.randrange(3)
            else:
                stability = difficulty = None
                last = day
                grade = rng.choice(FIRST)
            stability, difficulty = truth.memory(stability, difficulty, (day - last).days, grade)
            memory[card] = (stability, difficulty, day)
            states[card] = scheduler.apply(states.get(card, NEW), grade, day, "", card)
            due[card] = states[card].due
            yield day, card, grade


def histories(n_cards: int, days: int, seed: int, scheduler=None) -> dict[str, list[Step]]:
    cards: dict[str, list[Step]] = {}
    for order, (day, card, grade) in enumerate(simulate(n_cards, days, seed, scheduler)):
        cards.setdefault(card, []).append(Step(day.toordinal(), grade, order))
    return cards


def fill(store: Store, n_cards: int, days: int, seed: int, scheduler=None) -> int:
    """Record a simulated learner's answers in `store` (each at 09:00 UTC of its day); their number."""
    n = 0
    for day, card, grade in simulate(n_cards, days, seed, scheduler):
        store.record(card, grade, "review", day, datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc))
        n += 1
    return n
